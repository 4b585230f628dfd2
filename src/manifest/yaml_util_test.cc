#include "manifest/yaml_util.h"

#include <gtest/gtest.h>

#include <string>

namespace ecotone::manifest {
namespace {

YAML::Node LoadOne(const std::string& text) {
  auto docs = LoadAllDocuments(text, "t.yaml");
  EXPECT_TRUE(docs.ok()) << docs.status().ToString();
  return docs.ok() && !docs->empty() ? (*docs)[0] : YAML::Node();
}

// The value of a key found by iteration (const operator[] on a map whose
// merged keys were added in place works too, but iteration is what readers do).
YAML::Node Get(const YAML::Node& map, const std::string& key) {
  for (const auto& kv : map)
    if (kv.first.Scalar() == key) return kv.second;
  return YAML::Node(YAML::NodeType::Undefined);
}

int Count(const YAML::Node& map, const std::string& key) {
  int n = 0;
  for (const auto& kv : map)
    if (kv.first.Scalar() == key) ++n;
  return n;
}

TEST(PrecheckText, RejectsBinaryGarbageWithLocation) {
  std::string text = "services:\n  a:\n    image: x\0y\n";
  text[22] = '\0';
  Status st = PrecheckText(text, "bin.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().file, "bin.yaml");
  EXPECT_EQ(st.where().line, 3);
  EXPECT_NE(st.message().find("NUL"), std::string::npos);
}

TEST(PrecheckText, RejectsDeepFlowNestingBeforeParsing) {
  std::string text = "a: " + std::string(kMaxNesting + 1, '[');
  Status st = PrecheckText(text, "deep.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().line, 1);
  EXPECT_NE(st.message().find("nesting"), std::string::npos);
  // Brackets inside quotes and comments do not count.
  std::string quoted =
      "a: \"" + std::string(500, '[') + "\" # " + std::string(500, '{') + "\n";
  EXPECT_TRUE(PrecheckText(quoted, "q.yaml").ok());
}

TEST(PrecheckText, RejectsDeepIndentation) {
  std::string text = "a:\n" + std::string(kMaxNesting * 8 + 1, ' ') + "b: 1\n";
  Status st = PrecheckText(text, "indent.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().line, 2);
}

TEST(PrecheckText, RejectsOversizedInput) {
  std::string big(kMaxInputBytes + 1, ' ');
  Status st = PrecheckText(big, "big.yaml");
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("limit"), std::string::npos);
}

TEST(LoadAllDocuments, SyntaxErrorHasOneBasedLocation) {
  auto docs = LoadAllDocuments("a: 1\nb: [1, 2\nc: 3\n", "bad.yaml");
  ASSERT_FALSE(docs.ok());
  EXPECT_EQ(docs.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(docs.status().where().file, "bad.yaml");
  EXPECT_GE(docs.status().where().line, 2);
  EXPECT_GE(docs.status().where().column, 1);
  EXPECT_NE(docs.status().message().find("malformed YAML"), std::string::npos);
}

// libyaml accepts these streams but yaml-cpp 0.7 never returns on them
// (found by fuzzing the plan reader): every yaml-cpp reader is guarded.
TEST(LoadAllDocuments, StreamsThatHangYamlCppAreErrors) {
  for (const char* text : {"\n! ~\n! ,~", ",a", "a: 1\n---\n,"}) {
    auto docs = LoadAllDocuments(text, "hang.yaml");
    ASSERT_FALSE(docs.ok()) << text;
    EXPECT_EQ(docs.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(docs.status().ToString().find("hang.yaml:"), std::string::npos)
        << docs.status().ToString();
  }
}

TEST(LoadAllDocuments, NelAndNbspEscapesDecodeToUtf8) {
  // yaml-cpp 0.7 alone turns "\N" and "\_" into the bytes 0x85 and 0xA0
  // (not UTF-8; found by fuzzing the plan reader).
  YAML::Node n = LoadOne(
      "# é\n\"k\\N\": \"a\\Nb\\_c \\\\N\"\nplain: a\\Nb\nmulti: \"x\n  \\_y\"\n"
      "single: 'p\\N'\n");
  EXPECT_EQ(Get(n, "k\xC2\x85").Scalar(), "a\xC2\x85" "b\xC2\xA0" "c \\N");
  EXPECT_EQ(Get(n, "plain").Scalar(), "a\\Nb");
  EXPECT_EQ(Get(n, "multi").Scalar(), "x \xC2\xA0y");
  EXPECT_EQ(Get(n, "single").Scalar(), "p\\N");
  // Marks still point into the original text.
  EXPECT_EQ(At("t.yaml", Get(n, "plain"), "plain").line, 3);
}

TEST(LoadAllDocuments, KeepsEmptyDocumentsAndMarks) {
  auto docs = LoadAllDocuments("a: 1\n---\n---\nb:\n  c: 2\n", "m.yaml");
  ASSERT_TRUE(docs.ok());
  ASSERT_EQ(docs->size(), 3u);
  EXPECT_TRUE((*docs)[1].IsNull());
  Location loc = At("m.yaml", Get(Get((*docs)[2], "b"), "c"), "b.c");
  EXPECT_EQ(loc.line, 5);
  EXPECT_EQ(loc.column, 6);
  EXPECT_EQ(loc.path, "b.c");
}

TEST(ResolveMergeKeys, ExplicitKeysWinAndMarksPointIntoTheFile) {
  YAML::Node root = LoadOne(
      "base: &base\n"        // 1
      "  image: a\n"         // 2
      "  restart: always\n"  // 3
      "svc:\n"               // 4
      "  <<: *base\n"        // 5
      "  image: b\n");       // 6
  root = ResolveMergeKeys(root);
  YAML::Node svc = Get(root, "svc");
  ASSERT_TRUE(svc.IsMap());
  EXPECT_EQ(Count(svc, "<<"), 0);
  EXPECT_EQ(Get(svc, "image").Scalar(), "b");
  EXPECT_EQ(Get(svc, "restart").Scalar(), "always");
  // The merged value keeps the mark of where it was written (the anchor).
  EXPECT_EQ(At("f", Get(svc, "restart")).line, 3);
  EXPECT_EQ(At("f", Get(svc, "restart")).column, 12);
  // The explicit value and the map itself keep theirs.
  EXPECT_EQ(At("f", Get(svc, "image")).line, 6);
  EXPECT_EQ(At("f", svc).line, 5);
}

TEST(ResolveMergeKeys, EarlierMapsInAMergeListWin) {
  YAML::Node root = LoadOne(
      "a: &a {x: 1, y: 1}\n"
      "b: &b {x: 2, y: 2, z: 2}\n"
      "c:\n"
      "  <<: [*a, *b]\n"
      "  y: 3\n");
  root = ResolveMergeKeys(root);
  YAML::Node c = Get(root, "c");
  EXPECT_EQ(Get(c, "x").Scalar(), "1");
  EXPECT_EQ(Get(c, "y").Scalar(), "3");
  EXPECT_EQ(Get(c, "z").Scalar(), "2");
  EXPECT_EQ(c.size(), 3u);
}

TEST(ResolveMergeKeys, ResolvesNestedMergesAndInsideSequences) {
  YAML::Node root = LoadOne(
      "base: &base {env: {A: 1}}\n"
      "mid: &mid\n"
      "  <<: *base\n"
      "  port: 80\n"
      "list:\n"
      "  - <<: *mid\n"
      "    name: one\n");
  root = ResolveMergeKeys(root);
  YAML::Node item = Get(root, "list")[0];
  EXPECT_EQ(Get(item, "name").Scalar(), "one");
  EXPECT_EQ(Get(item, "port").Scalar(), "80");
  EXPECT_TRUE(Get(item, "env").IsMap());
  EXPECT_EQ(Count(item, "<<"), 0);
  // The sequence keeps its mark (it was not rebuilt).
  EXPECT_EQ(At("f", Get(root, "list")).line, 6);
}

TEST(ResolveMergeKeys, QuotedMergeKeyIsAnOrdinaryKey) {
  YAML::Node root = LoadOne("a: {\"<<\": {x: 1}, y: 2}\n");
  root = ResolveMergeKeys(root);
  YAML::Node a = Get(root, "a");
  EXPECT_EQ(Count(a, "<<"), 1);
  EXPECT_EQ(Count(a, "x"), 0);
}

TEST(ResolveMergeKeys, ManyAliasesAreResolvedOnce) {
  // Each level merges the previous one 8 times: a naive recursive walk would
  // visit 8^12 maps. The resolver must visit each node once.
  std::string text = "l0: &l0 {k0: v}\n";
  for (int i = 1; i <= 12; ++i) {
    std::string p = "*l" + std::to_string(i - 1);
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " {<<: [" +
            p + "], k" + std::to_string(i) + ": v, s: [" + p + ", " + p + ", " +
            p + ", " + p + ", " + p + ", " + p + ", " + p + "]}\n";
  }
  YAML::Node root = ResolveMergeKeys(LoadOne(text));
  YAML::Node top = Get(root, "l12");
  EXPECT_EQ(Get(top, "k0").Scalar(), "v");
  EXPECT_EQ(Get(top, "k11").Scalar(), "v");
}

TEST(ResolveMergeKeysInPlace, InvalidMergeValueIsAnErrorWithLocation) {
  YAML::Node root = LoadOne("svc:\n  <<: 5\n  image: x\n");
  Status st = ResolveMergeKeysInPlace("m.yaml", root);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().file, "m.yaml");
  EXPECT_EQ(st.where().line, 2);
  EXPECT_EQ(st.where().column, 7);
  root = LoadOne("svc:\n  <<: [{a: 1}, x]\n");
  st = ResolveMergeKeysInPlace("m.yaml", root);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.where().line, 2);
  // The lenient form ignores it.
  root = ResolveMergeKeys(LoadOne("svc:\n  <<: 5\n  image: x\n"));
  EXPECT_EQ(Get(Get(root, "svc"), "image").Scalar(), "x");
}

TEST(ScalarAccessors, ReportLocationAndPath) {
  YAML::Node root = LoadOne("a:\n  n: abc\n  r: 7\n  d: 1.5x\n  b: maybe\n");
  YAML::Node a = Get(root, "a");
  auto n = AsInt("f.yaml", Get(a, "n"), "a.n", 0, 10);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().ToString(),
            "f.yaml:2:6: a.n: expected an integer, got 'abc'");
  auto r = AsInt("f.yaml", Get(a, "r"), "a.r", 0, 5);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("out of range"), std::string::npos);
  EXPECT_EQ(*AsInt("f.yaml", Get(a, "r"), "a.r", 0, 10), 7);
  EXPECT_FALSE(AsDouble("f.yaml", Get(a, "d"), "a.d", 0, 10).ok());
  EXPECT_FALSE(AsBool("f.yaml", Get(a, "b"), "a.b").ok());
  auto s = AsString("f.yaml", a, "a");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().where().line, 2);
}

TEST(Join, BuildsFieldPaths) {
  EXPECT_EQ(Join("", "services"), "services");
  EXPECT_EQ(Join("services", "api"), "services.api");
  EXPECT_EQ(Join("services.api.ports", size_t{2}), "services.api.ports[2]");
}

}  // namespace
}  // namespace ecotone::manifest
