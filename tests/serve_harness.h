// Shared harness for the tests (and the load bench) that run a real
// `ecotone serve` process and drive it over HTTP with libcurl:
//   ServeProcess: starts the binary on a free 127.0.0.1 port with its own
//     SQLite file and token, waits for /healthz, stops it with SIGTERM or
//     SIGKILL, restarts it on the same files.
//   Http(): one request with libcurl (status, body).
//   RunLoad(): N concurrent clients posting webhook bodies with keep-alive,
//     recording each reply's status and latency.
#ifndef ECOTONE_TESTS_SERVE_HARNESS_H_
#define ECOTONE_TESTS_SERVE_HARNESS_H_

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "testing/prometheus_server.h"

namespace ecotone::testing {

struct HttpReply {
  long status = 0;  // 0: no reply (connection failed).
  std::string body;
  std::string error;
};

// One libcurl handle per client; reuses its connection (keep-alive).
class HttpClient {
 public:
  HttpClient() : curl_(curl_easy_init()) {}
  ~HttpClient() { curl_easy_cleanup(curl_); }
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply Do(const std::string& method, const std::string& url,
               const std::string& token = "", const std::string& body = "",
               const std::string& content_type = "application/json") {
    HttpReply r;
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    if (method == "POST" || method == "PUT") {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(body.size()));
    }
    curl_slist* headers = nullptr;
    if (!token.empty())
      headers = curl_slist_append(headers,
                                  ("Authorization: Bearer " + token).c_str());
    headers =
        curl_slist_append(headers, ("Content-Type: " + content_type).c_str());
    headers = curl_slist_append(headers, "Expect:");
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Write);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &r.body);
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) {
      r.error = curl_easy_strerror(rc);
      return r;
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
  }

 private:
  static size_t Write(char* p, size_t size, size_t n, void* out) {
    static_cast<std::string*>(out)->append(p, size * n);
    return size * n;
  }
  CURL* curl_;
};

inline HttpReply Http(const std::string& method, const std::string& url,
                      const std::string& token = "",
                      const std::string& body = "",
                      const std::string& content_type = "application/json") {
  HttpClient c;
  return c.Do(method, url, token, body, content_type);
}

inline std::string EcotoneBin() {
  const char* bin = std::getenv("ECOTONE_BIN");
  return bin != nullptr ? bin : std::string(ECOTONE_BINARY_DIR) + "/ecotone";
}

// A real `ecotone serve` in a private temporary directory.
class ServeProcess {
 public:
  // extra: more flags, e.g. {"--infra", path}.
  explicit ServeProcess(std::vector<std::string> extra = {},
                        std::string dir = "")
      : extra_(std::move(extra)) {
    if (dir.empty()) {
      char tmpl[] = "/tmp/ecotone_serve_test.XXXXXX";
      dir_ = mkdtemp(tmpl);
      owns_dir_ = true;
    } else {
      dir_ = dir;
    }
    std::ofstream(dir_ + "/token") << token_ << "\n";
  }
  ~ServeProcess() {
    Kill(SIGKILL);
    if (owns_dir_) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  // Starts the process and waits until /healthz answers. False (and the
  // log in *error) when it does not come up within ~20 s.
  bool Start(std::string* error) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = FreeLoopbackPort();
      std::vector<std::string> args = {
          EcotoneBin(),   "serve",        "--db",
          db(),           "--listen",     "127.0.0.1:" + std::to_string(port_),
          "--token-file", dir_ + "/token"};
      args.insert(args.end(), extra_.begin(), extra_.end());
      pid_ = fork();
      if (pid_ == 0) {
        int fd = open((dir_ + "/serve.log").c_str(),
                      O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
          dup2(fd, 1);
          dup2(fd, 2);
        }
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(argv[0], argv.data());
        _exit(127);
      }
      for (int i = 0; i < 400; ++i) {
        if (Http("GET", url() + "/healthz").status == 200) return true;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      Kill(SIGKILL);
    }
    *error = Log();
    return false;
  }

  // Sends `sig` and waits for the exit; returns the exit code (128 + signal
  // when killed by one), -1 when not running.
  int Kill(int sig) {
    if (pid_ <= 0) return -1;
    kill(pid_, sig);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string Log() const {
    std::ifstream in(dir_ + "/serve.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_);
  }
  std::string db() const { return dir_ + "/ecotone.db"; }
  const std::string& dir() const { return dir_; }
  const std::string& token() const { return token_; }
  pid_t pid() const { return pid_; }

 private:
  std::vector<std::string> extra_;
  std::string dir_;
  bool owns_dir_ = false;
  std::string token_ = "test-token-0123456789abcdef";
  int port_ = -1;
  pid_t pid_ = -1;
};

struct LoadResult {
  int64_t sent = 0;
  int64_t acknowledged = 0;  // 2xx replies
  int64_t failed = 0;        // other replies or no reply
  double seconds = 0;
  std::vector<double> latencies_ms;  // of every request, sorted
  double Percentile(double p) const {
    if (latencies_ms.empty()) return 0;
    size_t i = static_cast<size_t>(p * (latencies_ms.size() - 1) + 0.5);
    return latencies_ms[std::min(i, latencies_ms.size() - 1)];
  }
};

// `clients` threads, each posting `body(client, i)` to `url` `per_client`
// times over one keep-alive connection.
inline LoadResult RunLoad(const std::string& url, const std::string& token,
                          int clients, int per_client,
                          const std::function<std::string(int, int)>& body) {
  LoadResult r;
  std::mutex mu;
  std::vector<std::thread> threads;
  auto t0 = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      HttpClient client;
      std::vector<double> lat;
      int64_t ok = 0, bad = 0;
      for (int i = 0; i < per_client; ++i) {
        auto s = std::chrono::steady_clock::now();
        HttpReply reply = client.Do("POST", url, token, body(c, i));
        lat.push_back(std::chrono::duration<double, std::milli>(
                          std::chrono::steady_clock::now() - s)
                          .count());
        if (reply.status >= 200 && reply.status < 300)
          ++ok;
        else
          ++bad;
      }
      std::lock_guard<std::mutex> l(mu);
      r.sent += per_client;
      r.acknowledged += ok;
      r.failed += bad;
      r.latencies_ms.insert(r.latencies_ms.end(), lat.begin(), lat.end());
    });
  }
  for (auto& t : threads) t.join();
  r.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::sort(r.latencies_ms.begin(), r.latencies_ms.end());
  return r;
}

}  // namespace ecotone::testing

#endif  // ECOTONE_TESTS_SERVE_HARNESS_H_
