// The `ecotone` command line: one binary, verbs like git/kubectl. Each verb
// lives in its own cmd_<verb>.cc and registers itself with a Register*
// function called from main.cc. Verbs parse flags, call the libraries and
// format output; they hold no business logic of their own.
#ifndef ECOTONE_CLI_CLI_H_
#define ECOTONE_CLI_CLI_H_

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "ecotone/base/status.h"
#include "ecotone/manifest/manifest.h"

namespace ecotone::cli {

// Exit codes, the same for every verb.
inline constexpr int kExitOk = 0;        // success.
inline constexpr int kExitProblems = 1;  // ran, and found problems in the input.
inline constexpr int kExitBadInput = 2;  // bad usage, unreadable or invalid input.
inline constexpr int kExitInternal = 3;  // a bug or an unavailable service.

// Maps a non-OK Status to an exit code (the only place that does).
int ExitCodeFor(const Status& status);
// Prints `ecotone: file:line:column: path: message` to stderr and returns
// ExitCodeFor(status).
int ReportError(const Status& status);

// While alive, writes to file descriptor 1 (stdout) go to stderr. Libraries
// that print to stdout with bare printf (Clp: "N slacks added" from its
// presolve, on some models) would otherwise land inside a verb's JSON
// output. Verbs hold one around solver calls and write their own output
// after it is gone. std::cout and C stdio are flushed on both sides.
class StdoutToStderr {
 public:
  StdoutToStderr();
  ~StdoutToStderr();
  StdoutToStderr(const StdoutToStderr&) = delete;
  StdoutToStderr& operator=(const StdoutToStderr&) = delete;

 private:
  int saved_ = -1;
};

// Reads manifests the way every verb's --manifest/--format flags ask:
// `format` is auto|ecotone|compose|kubernetes (InvalidArgument naming
// --format otherwise); `profiles` are Compose profiles to enable.
Result<manifest::LoadResult> LoadManifests(const std::vector<std::string>& files,
                                           const std::string& format,
                                           const std::vector<std::string>& profiles = {});

// Each verb: adds a subcommand to `app`; when it runs it stores its exit
// code in *exit_code.
void RegisterAnalyze(CLI::App& app, int* exit_code);
void RegisterDiff(CLI::App& app, int* exit_code);
// Predictive Scaler verbs (cmd_forecast.cc): forecast, backtest, scale.
void RegisterForecast(CLI::App& app, int* exit_code);
void RegisterBacktest(CLI::App& app, int* exit_code);
void RegisterScale(CLI::App& app, int* exit_code);
// `place` (cmd_place.cc): --gap/--gqap benchmark instances and --manifest.
void RegisterPlace(CLI::App& app, int* exit_code);
// Verbs added by later modules register here too (see main.cc).
// `emit k8s` (cmd_emit.cc): Kubernetes objects for a plan and actions.
void RegisterEmit(CLI::App& app, int* exit_code);
// Simulator verbs (cmd_simulate.cc, cmd_demo.cc; docs/simulate.md).
void RegisterSimulate(CLI::App& app, int* exit_code);
void RegisterDemo(CLI::App& app, int* exit_code);
// `serve` (cmd_serve.cc): the daemon.
void RegisterServe(CLI::App& app, int* exit_code);

}  // namespace ecotone::cli

#endif  // ECOTONE_CLI_CLI_H_
