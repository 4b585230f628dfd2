#include "ecotone/base/status.h"

#include <gtest/gtest.h>

namespace ecotone {
namespace {

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd", {"f.yaml", 3, 7, "a.b"});
  return x / 2;
}

Result<int> Quarter(int x) {
  ECOTONE_ASSIGN_OR_RETURN(int h, Half(x));
  ECOTONE_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(Status, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, PrintsLocationThenMessage) {
  Status s = Status::InvalidArgument("expected integer",
                                     {"app.yaml", 14, 7, "services.api.deploy.replicas"});
  EXPECT_EQ(s.ToString(),
            "app.yaml:14:7: services.api.deploy.replicas: expected integer");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
}

TEST(Status, LocationWithoutLineOrPath) {
  EXPECT_EQ((Location{"a.yaml", 0, 0, ""}).ToString(), "a.yaml");
  EXPECT_EQ((Location{"", 0, 0, "x.y"}).ToString(), "x.y");
  EXPECT_EQ((Location{"a", 2, 0, "p"}).ToString(), "a:2: p");
}

TEST(Result, PropagatesErrors) {
  EXPECT_EQ(Quarter(8).value(), 2);
  auto r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "odd");
  EXPECT_EQ(r.status().where().line, 3);
}

}  // namespace
}  // namespace ecotone
