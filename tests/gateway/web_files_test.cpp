// The web UI's files as the gateway serves them: files, index.html for the UI's own paths, 404
// for a missing file, nothing outside the folder, and the security headers.

#include "gateway/web_files.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace appealhub::gateway {
namespace {

namespace fs = std::filesystem;

class WebFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    root = fs::temp_directory_path() / ("appealhub_web_files_" + std::to_string(::getpid()));
    fs::remove_all(root);
    fs::create_directories(root / "assets");
    std::ofstream(root / "index.html") << "<div id=\"app\"></div>";
    std::ofstream(root / "assets" / "index-abc123.js") << "console.log(1)";
    std::ofstream(root / "favicon.ico") << "ico";
    std::ofstream(root.parent_path() / "appealhub_web_secret.txt") << "secret";
  }
  void TearDown() override {
    fs::remove_all(root);
    fs::remove(root.parent_path() / "appealhub_web_secret.txt");
  }
  fs::path root;
};

TEST_F(WebFiles, ServesFilesAndTheUiForItsOwnPaths) {
  const auto js = serve_web_file(root.string(), "/assets/index-abc123.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->header("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_NE(js->header("Cache-Control").value_or("").find("immutable"), std::string::npos);
  EXPECT_EQ(serve_web_file(root.string(), "/favicon.ico")->header("Cache-Control"), "no-cache");

  for (const auto* page : {"/", "/desk", "/tickets/42", "/admin/rules"}) {
    const auto r = serve_web_file(root.string(), page);
    ASSERT_TRUE(r) << page;
    EXPECT_EQ(r->status, 200) << page;
    EXPECT_EQ(r->body, "<div id=\"app\"></div>") << page;
    EXPECT_EQ(r->header("Content-Type").value_or(""), "text/html; charset=utf-8") << page;
  }
}

TEST_F(WebFiles, MissingFilesAndPathsOutsideTheFolderAreNotServed) {
  EXPECT_EQ(serve_web_file(root.string(), "/assets/gone-1.js")->status, 404);
  for (const auto* sneaky : {"/../appealhub_web_secret.txt", "/assets/../../appealhub_web_secret.txt",
                             "/%2e%2e/appealhub_web_secret.txt"}) {
    const auto r = serve_web_file(root.string(), sneaky);
    ASSERT_TRUE(r) << sneaky;
    EXPECT_EQ(r->status, 404) << sneaky;
    EXPECT_NE(r->body, "secret") << sneaky;
  }
}

TEST_F(WebFiles, NoUiWithoutIndexHtml) {
  fs::remove(root / "index.html");
  EXPECT_FALSE(serve_web_file(root.string(), "/"));
  EXPECT_FALSE(serve_web_file("", "/desk"));
}

TEST(SecurityHeaders, ForbidInlineScriptsFramingAndSniffing) {
  http::Response r;
  add_security_headers(r);
  const auto csp = r.header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
}

}  // namespace
}  // namespace appealhub::gateway
