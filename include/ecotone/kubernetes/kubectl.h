// The Kubernetes actuator's calls: kubectl run as a child process
// (`kubectl apply --server-side --field-manager=ecotone`, `kubectl diff`,
// `kubectl scale`, `kubectl rollout status|undo`, each optionally with
// `--dry-run=server`). Errors from the cluster are classified (conflict,
// forbidden, not found, timeout, unavailable ...) and retried with
// exponential backoff where a retry is safe for that call; every call
// returns a CallResult, the record for the audit log, whether it succeeded
// or not: nothing is dropped. docs/kubernetes.md, "Actuator".
//
// A Kubectl is immutable after construction; its calls may run from several
// threads at once (each starts its own process).
#ifndef ECOTONE_KUBERNETES_KUBECTL_H_
#define ECOTONE_KUBERNETES_KUBECTL_H_

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ecotone::kubernetes {

// What went wrong in a call. Serialised by name (ErrorClassName); append new
// values at the end.
enum class ErrorClass {
  kNone = 0,        // success.
  kConflict,        // 409, object modified concurrently: retry (re-read).
  kFieldConflict,   // server-side apply: another field manager owns a field;
                    // not retried (needs --force-conflicts or a decision).
  kForbidden,       // RBAC denies it: not retried; fix deploy/rbac.yaml.
  kNotFound,        // the object or resource type does not exist.
  kTimeout,         // request or process deadline passed: retried where
                    // the call is idempotent.
  kUnavailable,     // the API server could not be reached or is
                    // overloaded (refused, reset, 503, 429): retried.
  kInvalid,         // the object or the arguments are invalid.
  kRolloutStalled,  // rollout status gave up: not ready in time or past
                    // its progress deadline. Not retried; the caller
                    // decides (e.g. rollout undo).
  kOther,           // anything else (kubectl missing, unknown output).
};
std::string_view ErrorClassName(ErrorClass c);  // "conflict", "forbidden"...

// Classifies a failed kubectl run from its exit code and stderr (the
// messages of kubectl and of the API server's Status). exit_code 0 = kNone.
ErrorClass ClassifyKubectlError(int exit_code, std::string_view stderr_text);

// The calls, for retry decisions and the audit log.
enum class Operation {
  kApply = 0,      // kubectl apply --server-side.
  kDiff,           // kubectl diff --server-side.
  kScale,          // kubectl scale.
  kRolloutStatus,  // kubectl rollout status.
  kRolloutUndo,    // kubectl rollout undo.
  kDelete,         // kubectl delete --ignore-not-found (lift an isolation).
};
std::string_view OperationName(Operation op);  // "apply", "rollout-undo"...

// Whether a call that failed with `error` may be repeated: apply, diff,
// scale, status and delete are idempotent (retried on conflict, timeout,
// unavailable); rollout undo is not (a repeated undo goes one revision
// further back), so it is retried only when the request surely never
// reached the server (connection refused, unknown host) or was rejected
// before it took effect (conflict). `stderr_text` tells these apart.
bool RetryIsSafe(Operation op, ErrorClass error, std::string_view stderr_text);

struct KubectlOptions {
  std::string kubectl = "kubectl";  // program (PATH lookup) or path.
  std::string kubeconfig;           // --kubeconfig; "" = kubectl's default.
  std::string context;              // --context; "" = current context.
  std::string field_manager = "ecotone";
  bool force_conflicts = false;  // apply --force-conflicts.
  // Per request (kubectl --request-timeout), and for the whole process
  // (killed after this, classified kTimeout).
  int64_t request_timeout_ms = 30000;
  int64_t process_timeout_ms = 120000;
  // Attempts per call (1 = no retry) and the backoff between them:
  // initial_backoff_ms × 2^(k-1), at most max_backoff_ms.
  int max_attempts = 5;
  int64_t initial_backoff_ms = 500;
  int64_t max_backoff_ms = 16000;
  // How to wait between attempts (default: sleep this thread). Tests and the
  // daemon may pass their own clock.
  std::function<void(int64_t ms)> sleep_ms;
};

enum class DryRun { kNone = 0, kServer };

// The record of one call (all attempts).
struct CallResult {
  Operation operation = Operation::kApply;
  std::string target;             // file/dir or kind/name.
  std::vector<std::string> argv;  // the last attempt's command line.
  bool dry_run = false;
  int exit_code = -1;  // of the last attempt; -1 = killed.
  std::string out;     // stdout of the last attempt.
  std::string err;     // stderr of the last attempt.
  ErrorClass error = ErrorClass::kOther;
  int attempts = 0;
  std::vector<int64_t> backoff_ms;  // waits before attempts 2, 3, ...
  int64_t elapsed_ms = 0;
  // diff: exit 1 means "differences found", a success with changes.
  bool changed = false;

  bool ok() const { return error == ErrorClass::kNone; }
  // {"operation","target","argv","dry_run","exit_code","error","attempts",
  //  "backoff_ms","elapsed_ms","changed","stdout","stderr"} (outputs cut at
  // 8 KiB).
  nlohmann::ordered_json ToJson() const;
};

class Kubectl {
 public:
  explicit Kubectl(KubectlOptions options);

  // The command lines (tests and dry runs print them). `path` is a file or
  // a directory (then -R: partial objects live in its patches/).
  std::vector<std::string> ApplyArgs(const std::string& path,
                                     DryRun dry_run) const;
  std::vector<std::string> DiffArgs(const std::string& path) const;
  std::vector<std::string> ScaleArgs(const std::string& kind,
                                     const std::string& name,
                                     const std::string& ns, int replicas,
                                     DryRun dry_run) const;
  std::vector<std::string> RolloutStatusArgs(const std::string& kind,
                                             const std::string& name,
                                             const std::string& ns,
                                             int64_t timeout_ms) const;
  std::vector<std::string> RolloutUndoArgs(const std::string& kind,
                                           const std::string& name,
                                           const std::string& ns,
                                           int to_revision,
                                           DryRun dry_run) const;
  std::vector<std::string> DeleteArgs(const std::string& kind,
                                      const std::string& name,
                                      const std::string& ns) const;

  // Runs the call with retries (RetryIsSafe) and returns its record.
  CallResult Apply(const std::string& path, DryRun dry_run) const;
  CallResult Diff(const std::string& path) const;
  CallResult Scale(const std::string& kind, const std::string& name,
                   const std::string& ns, int replicas, DryRun dry_run) const;
  CallResult RolloutStatus(const std::string& kind, const std::string& name,
                           const std::string& ns, int64_t timeout_ms) const;
  CallResult RolloutUndo(const std::string& kind, const std::string& name,
                         const std::string& ns, int to_revision,
                         DryRun dry_run) const;
  CallResult Delete(const std::string& kind, const std::string& name,
                    const std::string& ns) const;

  const KubectlOptions& options() const { return options_; }

 private:
  std::vector<std::string> Base() const;
  CallResult Run(Operation op, std::string target,
                 std::vector<std::string> argv, bool dry_run) const;

  const KubectlOptions options_;
};

// Runs argv (PATH lookup for argv[0]) with stdin closed, capturing stdout
// and stderr; kills the child after timeout_ms. exit_code -1 when killed or
// not started (then `err` says why). Used by Kubectl; exposed for tests.
struct ProcessResult {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};
ProcessResult RunProcess(const std::vector<std::string>& argv,
                         int64_t timeout_ms);

}  // namespace ecotone::kubernetes

#endif  // ECOTONE_KUBERNETES_KUBECTL_H_
