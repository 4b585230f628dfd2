// kubectl as a child process: argument construction, error classification,
// retries with exponential backoff (docs/kubernetes.md, "Actuator").
#include "ecotone/kubernetes/kubectl.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>

extern char** environ;

namespace ecotone::kubernetes {
namespace {

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t)
      .count();
}

bool Has(std::string_view text, std::string_view what) {
  return text.find(what) != std::string_view::npos;
}

template <typename... T>
bool HasAny(std::string_view text, T... what) {
  return (Has(text, what) || ...);
}

// kubectl's --request-timeout takes a duration; whole seconds when exact.
std::string Duration(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string Cut(const std::string& s) {
  constexpr size_t kMax = 8192;
  return s.size() <= kMax ? s : s.substr(0, kMax) + "...";
}

}  // namespace

std::string_view ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kNone:
      return "none";
    case ErrorClass::kConflict:
      return "conflict";
    case ErrorClass::kFieldConflict:
      return "field-conflict";
    case ErrorClass::kForbidden:
      return "forbidden";
    case ErrorClass::kNotFound:
      return "not-found";
    case ErrorClass::kTimeout:
      return "timeout";
    case ErrorClass::kUnavailable:
      return "unavailable";
    case ErrorClass::kInvalid:
      return "invalid";
    case ErrorClass::kRolloutStalled:
      return "rollout-stalled";
    case ErrorClass::kOther:
      return "other";
  }
  return "other";
}

std::string_view OperationName(Operation op) {
  switch (op) {
    case Operation::kApply:
      return "apply";
    case Operation::kDiff:
      return "diff";
    case Operation::kScale:
      return "scale";
    case Operation::kRolloutStatus:
      return "rollout-status";
    case Operation::kRolloutUndo:
      return "rollout-undo";
    case Operation::kDelete:
      return "delete";
  }
  return "apply";
}

// The API server's Status reasons appear as "Error from server (Reason)";
// client-side transport failures as Go error strings. Specific server
// reasons are checked before transport words, which may appear inside them.
ErrorClass ClassifyKubectlError(int exit_code, std::string_view e) {
  if (exit_code == 0) return ErrorClass::kNone;
  if (HasAny(e, "(Forbidden)", " is forbidden", "Forbidden:"))
    return ErrorClass::kForbidden;
  if (HasAny(e, "(NotFound)", "doesn't have a resource type",
             "the server could not find the requested resource"))
    return ErrorClass::kNotFound;
  if (Has(e, "Apply failed with") && Has(e, "conflict"))
    return ErrorClass::kFieldConflict;
  if (HasAny(e, "(Conflict)", "the object has been modified",
             "Operation cannot be fulfilled"))
    return ErrorClass::kConflict;
  if (HasAny(e, "timed out waiting for the condition",
             "exceeded its progress deadline"))
    return ErrorClass::kRolloutStalled;
  if (HasAny(e, "(Timeout)", "(ServerTimeout)", "context deadline exceeded",
             "Client.Timeout exceeded", "i/o timeout", "TLS handshake timeout",
             "request timed out", "Timeout:"))
    return ErrorClass::kTimeout;
  if (HasAny(e, "(ServiceUnavailable)", "(TooManyRequests)", "(InternalError)",
             "connection refused", "was refused", "no such host",
             "Unable to connect to the server", "connection reset by peer",
             "network is unreachable", "no route to host", "unexpected EOF",
             "http2: server sent GOAWAY"))
    return ErrorClass::kUnavailable;
  if (HasAny(e, "(Invalid)", "(BadRequest)", " is invalid", "error validating",
             "unknown flag", "unknown command", "error: the path",
             "no objects passed to apply", "must specify"))
    return ErrorClass::kInvalid;
  if (Has(e, "(NotFound)") || Has(e, " not found"))
    return ErrorClass::kNotFound;
  return ErrorClass::kOther;
}

bool RetryIsSafe(Operation op, ErrorClass error, std::string_view e) {
  switch (error) {
    case ErrorClass::kConflict:
      return true;  // rejected before taking effect, for every call.
    case ErrorClass::kTimeout:
      return op != Operation::kRolloutUndo;
    case ErrorClass::kUnavailable:
      if (op != Operation::kRolloutUndo) return true;
      // Undo: only when the request cannot have reached the server.
      return HasAny(e, "connection refused", "was refused", "no such host",
                    "network is unreachable", "no route to host") &&
             !Has(e, "connection reset");
    default:
      return false;
  }
}

nlohmann::ordered_json CallResult::ToJson() const {
  nlohmann::ordered_json j;
  j["operation"] = std::string(OperationName(operation));
  j["target"] = target;
  j["argv"] = argv;
  j["dry_run"] = dry_run;
  j["exit_code"] = exit_code;
  j["error"] = std::string(ErrorClassName(error));
  j["attempts"] = attempts;
  j["backoff_ms"] = backoff_ms;
  j["elapsed_ms"] = elapsed_ms;
  j["changed"] = changed;
  j["stdout"] = Cut(out);
  j["stderr"] = Cut(err);
  return j;
}

ProcessResult RunProcess(const std::vector<std::string>& argv,
                         int64_t timeout_ms) {
  ProcessResult r;
  if (argv.empty()) {
    r.err = "empty command";
    return r;
  }
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.err = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    r.err = std::string("pipe: ") + std::strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return r;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    r.err = "cannot start " + argv[0] + ": " + std::strerror(rc);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return r;
  }
  const auto start = Clock::now();
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    int64_t left = timeout_ms - MsSince(start);
    if (left <= 0) {
      r.timed_out = true;
      kill(pid, SIGKILL);  // our own child, by its pid.
      break;
    }
    int n = poll(fds, 2, static_cast<int>(std::min<int64_t>(left, 1000)));
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (r.timed_out) {
    r.exit_code = -1;
    r.err += "\necotone: killed after " + std::to_string(timeout_ms) +
             " ms (process timeout)";
  } else if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else {
    r.exit_code = -1;
  }
  return r;
}

Kubectl::Kubectl(KubectlOptions options) : options_(std::move(options)) {}

std::vector<std::string> Kubectl::Base() const {
  std::vector<std::string> a{options_.kubectl};
  if (!options_.kubeconfig.empty())
    a.push_back("--kubeconfig=" + options_.kubeconfig);
  if (!options_.context.empty()) a.push_back("--context=" + options_.context);
  if (options_.request_timeout_ms > 0)
    a.push_back("--request-timeout=" + Duration(options_.request_timeout_ms));
  return a;
}

std::vector<std::string> Kubectl::ApplyArgs(const std::string& path,
                                            DryRun dry_run) const {
  auto a = Base();
  a.insert(a.end(), {"apply", "--server-side",
                     "--field-manager=" + options_.field_manager});
  if (options_.force_conflicts) a.push_back("--force-conflicts");
  if (dry_run == DryRun::kServer) a.push_back("--dry-run=server");
  a.insert(a.end(), {"-f", path});
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) a.push_back("-R");
  return a;
}

std::vector<std::string> Kubectl::DiffArgs(const std::string& path) const {
  auto a = Base();
  a.insert(a.end(), {"diff", "--server-side",
                     "--field-manager=" + options_.field_manager});
  if (options_.force_conflicts) a.push_back("--force-conflicts");
  a.insert(a.end(), {"-f", path});
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) a.push_back("-R");
  return a;
}

std::vector<std::string> Kubectl::ScaleArgs(const std::string& kind,
                                            const std::string& name,
                                            const std::string& ns, int replicas,
                                            DryRun dry_run) const {
  auto a = Base();
  a.insert(a.end(), {"scale", kind + "/" + name,
                     "--replicas=" + std::to_string(replicas)});
  if (!ns.empty()) a.insert(a.end(), {"--namespace", ns});
  if (dry_run == DryRun::kServer) a.push_back("--dry-run=server");
  return a;
}

std::vector<std::string> Kubectl::RolloutStatusArgs(const std::string& kind,
                                                    const std::string& name,
                                                    const std::string& ns,
                                                    int64_t timeout_ms) const {
  auto a = Base();
  a.insert(a.end(), {"rollout", "status", kind + "/" + name, "--watch=true",
                     "--timeout=" + Duration(timeout_ms)});
  if (!ns.empty()) a.insert(a.end(), {"--namespace", ns});
  return a;
}

std::vector<std::string> Kubectl::RolloutUndoArgs(const std::string& kind,
                                                  const std::string& name,
                                                  const std::string& ns,
                                                  int to_revision,
                                                  DryRun dry_run) const {
  auto a = Base();
  a.insert(a.end(), {"rollout", "undo", kind + "/" + name});
  if (to_revision > 0)
    a.push_back("--to-revision=" + std::to_string(to_revision));
  if (!ns.empty()) a.insert(a.end(), {"--namespace", ns});
  if (dry_run == DryRun::kServer) a.push_back("--dry-run=server");
  return a;
}

std::vector<std::string> Kubectl::DeleteArgs(const std::string& kind,
                                             const std::string& name,
                                             const std::string& ns) const {
  auto a = Base();
  a.insert(a.end(), {"delete", kind + "/" + name, "--ignore-not-found=true",
                     "--wait=false"});
  if (!ns.empty()) a.insert(a.end(), {"--namespace", ns});
  return a;
}

CallResult Kubectl::Run(Operation op, std::string target,
                        std::vector<std::string> argv, bool dry_run) const {
  CallResult r;
  r.operation = op;
  r.target = std::move(target);
  r.argv = std::move(argv);
  r.dry_run = dry_run;
  const auto start = Clock::now();
  const int max_attempts = std::max(1, options_.max_attempts);
  int64_t backoff = std::max<int64_t>(0, options_.initial_backoff_ms);
  for (int attempt = 1;; ++attempt) {
    ProcessResult p = RunProcess(r.argv, options_.process_timeout_ms);
    r.attempts = attempt;
    r.exit_code = p.exit_code;
    r.out = std::move(p.out);
    r.err = std::move(p.err);
    if (p.timed_out) {
      r.error = ErrorClass::kTimeout;
    } else if (op == Operation::kDiff && p.exit_code == 1) {
      r.error = ErrorClass::kNone;  // differences found.
      r.changed = true;
    } else {
      r.error = ClassifyKubectlError(p.exit_code, r.err);
      if (p.exit_code == -1 && r.error == ErrorClass::kNone)
        r.error = ErrorClass::kOther;
    }
    if (r.ok() || attempt >= max_attempts || !RetryIsSafe(op, r.error, r.err))
      break;
    int64_t wait = std::min(backoff, options_.max_backoff_ms);
    r.backoff_ms.push_back(wait);
    if (options_.sleep_ms)
      options_.sleep_ms(wait);
    else
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    backoff = backoff > options_.max_backoff_ms / 2 ? options_.max_backoff_ms
                                                    : backoff * 2;
  }
  if (op != Operation::kDiff && r.ok()) r.changed = !dry_run;
  r.elapsed_ms = MsSince(start);
  return r;
}

CallResult Kubectl::Apply(const std::string& path, DryRun dry_run) const {
  return Run(Operation::kApply, path, ApplyArgs(path, dry_run),
             dry_run == DryRun::kServer);
}

CallResult Kubectl::Diff(const std::string& path) const {
  return Run(Operation::kDiff, path, DiffArgs(path), true);
}

CallResult Kubectl::Scale(const std::string& kind, const std::string& name,
                          const std::string& ns, int replicas,
                          DryRun dry_run) const {
  return Run(Operation::kScale, kind + "/" + name,
             ScaleArgs(kind, name, ns, replicas, dry_run),
             dry_run == DryRun::kServer);
}

CallResult Kubectl::RolloutStatus(const std::string& kind,
                                  const std::string& name,
                                  const std::string& ns,
                                  int64_t timeout_ms) const {
  CallResult r = Run(Operation::kRolloutStatus, kind + "/" + name,
                     RolloutStatusArgs(kind, name, ns, timeout_ms), false);
  if (r.ok()) r.changed = false;  // status reads only.
  return r;
}

CallResult Kubectl::RolloutUndo(const std::string& kind,
                                const std::string& name, const std::string& ns,
                                int to_revision, DryRun dry_run) const {
  return Run(Operation::kRolloutUndo, kind + "/" + name,
             RolloutUndoArgs(kind, name, ns, to_revision, dry_run),
             dry_run == DryRun::kServer);
}

CallResult Kubectl::Delete(const std::string& kind, const std::string& name,
                           const std::string& ns) const {
  return Run(Operation::kDelete, kind + "/" + name, DeleteArgs(kind, name, ns),
             false);
}

}  // namespace ecotone::kubernetes
