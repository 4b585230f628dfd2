// Test fixture: a real Prometheus server (Debian package `prometheus`) on
// 127.0.0.1 with a free port and history backfilled by promtool, in a
// temporary directory removed afterwards. Header-only, for tests.
//
//   std::string error;
//   auto prom = testing::PrometheusServer::Start(openmetrics_text, &error);
//   ASSERT_TRUE(prom) << error;
//   ... prom->url() ...
#ifndef ECOTONE_SRC_TESTING_PROMETHEUS_SERVER_H_
#define ECOTONE_SRC_TESTING_PROMETHEUS_SERVER_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "testing/loopback.h"

namespace ecotone::testing {

// True when both `prometheus` and `promtool` are on PATH.
inline bool PrometheusInstalled() {
  return std::system("command -v prometheus >/dev/null 2>&1 && "
                     "command -v promtool >/dev/null 2>&1") == 0;
}

class PrometheusServer {
 public:
  // Starts Prometheus with `openmetrics` (promtool's input: timestamps in
  // seconds, ending with "# EOF"; empty = no history) backfilled before start,
  // and waits until it is ready. nullptr and *error on failure.
  static std::unique_ptr<PrometheusServer> Start(const std::string& openmetrics,
                                                 std::string* error) {
    namespace fs = std::filesystem;
    std::string tmpl = (fs::temp_directory_path() / "ecotone-prom-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      *error = "mkdtemp failed";
      return nullptr;
    }
    std::unique_ptr<PrometheusServer> s(new PrometheusServer(buf.data()));
    std::ofstream(s->dir_ + "/prom.yml")
        << "global: {scrape_interval: 15s}\nscrape_configs: []\n";
    if (!openmetrics.empty()) {
      std::ofstream(s->dir_ + "/data.om") << openmetrics;
      std::string cmd = "promtool tsdb create-blocks-from openmetrics --max-block-duration=24h '" +
                        s->dir_ + "/data.om' '" + s->dir_ + "/data' >'" + s->dir_ +
                        "/promtool.log' 2>&1";
      if (std::system(cmd.c_str()) != 0) {
        *error = "promtool failed: " + s->ReadFile("promtool.log");
        return nullptr;
      }
    }
    for (int attempt = 0; attempt < 3; ++attempt) {
      s->port_ = FreeLoopbackPort();
      if (s->Launch() && s->WaitReady()) return s;
      s->Stop();
    }
    *error = "prometheus did not become ready: " + s->ReadFile("prometheus.log");
    return nullptr;
  }

  ~PrometheusServer() {
    Stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& dir() const { return dir_; }

 private:
  explicit PrometheusServer(std::string dir) : dir_(std::move(dir)) {}

  std::string ReadFile(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  bool Launch() {
    std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
    std::string config = "--config.file=" + dir_ + "/prom.yml";
    std::string storage = "--storage.tsdb.path=" + dir_ + "/data";
    std::string log = dir_ + "/prometheus.log";
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execlp("prometheus", "prometheus", config.c_str(), storage.c_str(),
             "--storage.tsdb.retention.time=3650d", listen.c_str(), "--web.enable-lifecycle",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    return true;
  }

  bool WaitReady() {
    std::string cmd = "curl -sf -o /dev/null http://127.0.0.1:" + std::to_string(port_) + "/-/ready";
    for (int i = 0; i < 400; ++i) {  // up to 20 s on a loaded machine.
      if (std::system(cmd.c_str()) == 0) return true;
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (waitpid(pid_, &status, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
    }
    pid_ = -1;
  }

  std::string dir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

}  // namespace ecotone::testing

#endif  // ECOTONE_SRC_TESTING_PROMETHEUS_SERVER_H_
