// Shared harness for the tests that run the real `ecotone` binary
// ($ECOTONE_BIN, set by CTest): a fixture with a private temporary
// directory, Ecotone(args) capturing exit code, stdout and stderr, and
// helpers to write fixtures and read files.
#ifndef ECOTONE_TESTS_CLI_HARNESS_H_
#define ECOTONE_TESTS_CLI_HARNESS_H_

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace ecotone::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The binary under test: $ECOTONE_BIN, else build/ecotone.
inline std::string EcotoneBinary() {
  const char* bin = std::getenv("ECOTONE_BIN");
  return bin != nullptr ? bin : std::string(ECOTONE_BINARY_DIR) + "/ecotone";
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bin_ = EcotoneBinary();
    ASSERT_TRUE(std::filesystem::exists(bin_)) << bin_;
    char tmpl[] = "/tmp/ecotone_cli_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs `ecotone ARGS` through the shell (ARGS is shell text), capturing
  // stdout and stderr in files of the temporary directory.
  CliRun Ecotone(const std::string& args) {
    std::filesystem::path out = dir_ / "stdout", err = dir_ / "stderr";
    std::string cmd = "'" + bin_ + "' " + args + " >'" + out.string() +
                      "' 2>'" + err.string() + "'";
    int status = std::system(cmd.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadAll(out);
    r.err = ReadAll(err);
    return r;
  }
  // Writes `text` to NAME in the temporary directory; returns its path.
  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  std::string bin_;
  std::filesystem::path dir_;
};

}  // namespace ecotone::testing

#endif  // ECOTONE_TESTS_CLI_HARNESS_H_
