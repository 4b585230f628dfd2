// ecotone: manage whole application ecosystems. See README.md and docs/.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <unistd.h>

#include "cli.h"

namespace ecotone::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk: return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kFailedPrecondition:
      return kExitBadInput;
    case StatusCode::kUnavailable:
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

int ReportError(const Status& status) {
  std::cerr << "ecotone: " << status.ToString() << "\n";
  return ExitCodeFor(status);
}

StdoutToStderr::StdoutToStderr() {
  std::cout.flush();
  std::fflush(stdout);
  saved_ = dup(STDOUT_FILENO);
  if (saved_ >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    close(saved_);
    saved_ = -1;
  }
}

StdoutToStderr::~StdoutToStderr() {
  std::cout.flush();
  std::fflush(stdout);
  if (saved_ >= 0) {
    dup2(saved_, STDOUT_FILENO);
    close(saved_);
  }
}

Result<manifest::LoadResult> LoadManifests(const std::vector<std::string>& files,
                                           const std::string& format,
                                           const std::vector<std::string>& profiles) {
  auto f = manifest::ParseFormat(format);
  if (!f)
    return Status::InvalidArgument("--format: unknown format '" + format +
                                   "' (expected auto, ecotone, compose or kubernetes)");
  manifest::LoadOptions opts;
  opts.format = *f;
  opts.profiles = profiles;
  return manifest::LoadFiles(files, opts);
}

}  // namespace ecotone::cli

namespace {

// The verbs build large graphs of small heap objects (10^5 components with
// their strings and evidence); with 4 KiB pages a third of `analyze`'s time
// goes to page faults and TLB misses. glibc (2.35+) backs its heap with
// transparent huge pages when the tunable below is set, which can only be
// done before the process starts: so the binary re-executes itself once with
// it (measured: 10,000-service analyze 1.15 s -> 0.90 s). Set
// ECOTONE_NO_HUGEPAGES=1, or GLIBC_TUNABLES yourself, to opt out.
void ReexecWithHugePages(char** argv) {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  if (std::getenv("ECOTONE_NO_HUGEPAGES") != nullptr) return;
  if (setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  execv("/proc/self/exe", argv);
  unsetenv("GLIBC_TUNABLES");  // exec failed: run as we are.
}

}  // namespace

int main(int argc, char** argv) {
  ReexecWithHugePages(argv);
  using namespace ecotone::cli;
  // Outputs can be tens of MB (analyze --output json of 10^4 components);
  // unsynchronised iostreams write them in large blocks.
  std::ios::sync_with_stdio(false);
  CLI::App app{"Ecotone: map, forecast, place and heal whole application ecosystems",
               "ecotone"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ecotone 0.1.0");
  int exit_code = kExitOk;
  RegisterAnalyze(app, &exit_code);
  RegisterDiff(app, &exit_code);
  RegisterForecast(app, &exit_code);
  RegisterBacktest(app, &exit_code);
  RegisterScale(app, &exit_code);
  RegisterPlace(app, &exit_code);
  RegisterEmit(app, &exit_code);
  RegisterSimulate(app, &exit_code);
  RegisterDemo(app, &exit_code);
  RegisterServe(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitBadInput;
  }
  return exit_code;
}
