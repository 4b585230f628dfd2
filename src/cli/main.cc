// ecotone: manage whole application ecosystems. See README.md and docs/.
#include <iostream>

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

}  // namespace ecotone::cli

int main(int argc, char** argv) {
  using namespace ecotone::cli;
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
