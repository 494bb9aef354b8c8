// appealhub-sim: the simulators of the outside platforms (sim/README.md). This file is the
// command line (CLI11): each simulator's options and help; what they do is in sim_cli.cpp and
// hotline/hotline_sim.cpp.
#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "sim/hotline/hotline_sim.hpp"
#include "sim/sim_cli.hpp"

namespace {

using namespace appealhub::sim;
namespace hotline = appealhub::sim::hotline;

// A check of a number with a plain message ("--rate: -1 is not 0 or more"); `range` is shown in
// the help beside the value's name ("F:0..1").
CLI::Validator number_check(bool (*ok)(double), const std::string& what, const std::string& range) {
  return CLI::Validator(
      [ok, what](std::string& text) -> std::string {
        double value = 0;
        return CLI::detail::lexical_cast(text, value) && ok(value) ? "" : text + " is not " + what;
      },
      range);
}

const CLI::Validator kFraction =
    number_check([](double v) { return v >= 0 && v <= 1; }, "a fraction from 0 to 1", "0..1");
const CLI::Validator kNonNegative = number_check([](double v) { return v >= 0; }, "0 or more", "");
const CLI::Validator kPositive = number_check([](double v) { return v > 0; }, "above 0", "");

// An option that sets `target`, shown in the help as NAME TYPE=default.
template <typename T>
CLI::Option* value(CLI::App& app, const std::string& name, T& target, const std::string& type,
                   const std::string& help) {
  return app.add_option(name, target, help)->type_name(type)->capture_default_str();
}

CLI::Option* fraction(CLI::App& app, const std::string& name, double& target,
                      const std::string& help) {
  return value(app, name, target, "F", help)->check(kFraction);
}

CLI::Option* milliseconds(CLI::App& app, const std::string& name, std::chrono::milliseconds& value,
                          const std::string& help) {
  return app
      .add_option_function<long>(
          name, [&value](long ms) { value = std::chrono::milliseconds(ms); }, help)
      ->type_name("MS")
      ->check(kNonNegative)
      ->default_str(std::to_string(value.count()));
}

// The options both HTTP simulators share: where they listen, the generator and the faults.
void add_host_options(CLI::App& app, HostOptions& h, double& life_seconds) {
  value(app, "--port", h.port, "P", "the port to listen on (0: a free one)");
  value(app, "--address", h.address, "ADDRESS", "the address to listen on");
  value(app, "--rate", h.rate, "R", "appeals made per second (0: only POST /_sim/generate)")
      ->check(kNonNegative);
  value(app, "--count", h.count, "N", "the generator stops after N appeals (0: no limit)")
      ->check(kNonNegative);
  value(app, "--seed", h.seed, "S", "random seed (texts, fates, faults)");
  app.add_option("--state-file", h.state_file, "state saved every 2 s and on exit, loaded at start")
      ->type_name("PATH");
  value(app, "--life-seconds", life_seconds, "S",
        "life events happen within S seconds of their cause")
      ->check(kNonNegative);
  auto& f = h.faults;
  fraction(app, "--fault-5xx", f.error_5xx, "fraction answered 500, 502 or 503");
  fraction(app, "--fault-slow", f.slow, "fraction answered --fault-slow-ms late");
  // Declared after --fault-slow, so its callback sees whether a fraction was given.
  app.add_option_function<int>(
         "--fault-slow-ms",
         [&f](int ms) {
           f.slow_ms = ms;
           if (f.slow == 0) f.slow = 1;  // a delay alone means every request is slow
         },
         "how late a slow answer is (alone: every answer)")
      ->type_name("M")
      ->check(kNonNegative);
  fraction(app, "--fault-drop", f.drop, "fraction closed without an answer, nothing done");
  fraction(app, "--fault-drop-after-store", f.drop_after_store,
           "fraction of new replies stored, then closed unanswered");
  fraction(app, "--fault-429-burst", f.burst_429, "chance a request starts a burst of 429s");
  value(app, "--fault-429-burst-ms", f.burst_429_ms, "M", "how long a burst of 429s lasts")
      ->check(kNonNegative);
}

void add_mailbox(CLI::App& cli, MailboxCommand& m) {
  auto& app = *cli.add_subcommand("mailbox", "the leader mailbox website (docs/channels/)");
  add_host_options(app, m.host, m.mailbox.life_seconds);
  value(app, "--token-env", m.token_env, "NAME", "environment variable holding the bearer token");
  auto& o = m.mailbox;
  fraction(app, "--private-fraction", o.private_fraction,
           "letters whose writer refused publication");
  fraction(app, "--withdraw-fraction", o.withdraw_fraction, "pending letters withdrawn");
  fraction(app, "--spam-fraction", o.spam_fraction, "pending letters marked as spam");
  fraction(app, "--rating-fraction", o.rating_fraction, "published replies rated");
  fraction(app, "--rating-change-fraction", o.rating_change_fraction, "ratings changed later");
  fraction(app, "--reindex-fraction", o.reindex_fraction,
           "list requests that re-index an earlier letter");
}

void add_petition(CLI::App& cli, PetitionCommand& p) {
  auto& app = *cli.add_subcommand("petition", "the online-petition platform (docs/channels/)");
  add_host_options(app, p.host, p.petition.life_seconds);
  auto& o = p.petition;
  app.add_option("--app-id", o.app_id, "the unit's app id")->type_name("ID")->required();
  value(app, "--secret-env", p.secret_env, "NAME", "environment variable holding the app secret");
  app.add_option("--webhook-url", o.webhook_url,
                 "where signed events are POSTed (none: no webhooks)")
      ->type_name("URL")
      ->check(
          [](const std::string& url) {
            return plain_http_url(url) ? "" : "must be http://host:port/path";
          },
          "http://HOST:PORT/PATH");
  fraction(app, "--webhook-duplicate-fraction", o.webhook_duplicate_fraction,
           "delivered events pushed a second time");
  fraction(app, "--webhook-reorder-fraction", o.webhook_reorder_fraction,
           "events held back so that later ones overtake them");
  value(app, "--webhook-retry-ms", o.webhook_retry_initial_ms, "M",
        "first retry of a webhook (doubling to 60 s)")
      ->check(kNonNegative);
  value(app, "--webhook-retry-for-s", o.webhook_retry_for_s, "S", "how long a webhook is retried")
      ->check(kNonNegative);
  fraction(app, "--follow-up-fraction", o.follow_up_fraction, "messages that get a follow-up");
  fraction(app, "--rating-fraction", o.rating_fraction, "answered messages rated");
  fraction(app, "--withdraw-fraction", o.withdraw_fraction, "messages withdrawn");
  fraction(app, "--reassign-fraction", o.reassign_fraction,
           "messages moved to another unit before an answer");
}

void add_hotline(CLI::App& cli, hotline::HotlineCommand& h) {
  auto& app =
      *cli.add_subcommand("hotline", "the 12328 platform's file interface (sim/hotline/README.md)");
  app.footer(
      "Export files go into DIR/export, result files are read from DIR/import, receipts go into\n"
      "DIR/receipt, the ledger is DIR/sim-ledger.json. Runs until SIGINT/SIGTERM, --duration or\n"
      "--once.");
  auto& o = h.options;
  const auto encoding = [&app](const std::string& name, hotline::FileEncoding& value,
                               const std::string& help) {
    app.add_option_function<std::string>(
           name, [&value](const std::string& text) { value = *hotline::parse_file_encoding(text); },
           help)
        ->type_name("E")
        ->check(
            [](const std::string& text) {
              return hotline::parse_file_encoding(text) ? "" : "unknown encoding '" + text + "'";
            },
            "GB18030|UTF-8|UTF-8-BOM")
        ->default_str("GB18030");
  };
  app.add_option("--dir", o.dir, "the platform's folder")->type_name("DIR")->required();
  value(app, "--unit", o.unit, "CODE", "receiving unit's code in file names");
  value(app, "--rate", h.rate, "N", "rows a second")->check(kPositive);
  value(app, "--count", h.count, "N", "stop issuing after N rows (0: no limit)");
  value(app, "--rows-per-file", o.rows_per_file, "N", "rows per export file at most");
  milliseconds(app, "--file-interval-ms", h.file_interval,
               "write waiting rows at least this often");
  encoding("--encoding", o.encoding, "export files' encoding");
  encoding("--import-encoding", o.import_encoding, "the unit's configured result-file encoding");
  app.add_flag("--shuffle-columns", o.shuffle_columns,
               "columns in another order than the document's table");
  app.add_flag("--extra-column", o.extra_column,
               "an extra column (来源渠道) the document does not list");
  fraction(app, "--old-dates", o.old_dates, "fraction of rows with YYYY/M/D H:MM dates");
  fraction(app, "--followups", o.followups,
           "fraction of rows that are 补充/催办/撤销 on earlier orders");
  fraction(app, "--reassign", o.reassign,
           "chance per row that a returned order is sent again, 改派");
  value(app, "--seed", o.seed, "N", "random seed");
  auto& f = o.faults;
  const std::string faults = "Faults";
  fraction(app, "--damaged-sha", f.damaged_sha, "export files whose marker has a wrong SHA-256")
      ->group(faults);
  fraction(app, "--damaged-rows", f.damaged_rows, "export files whose marker has a wrong row count")
      ->group(faults);
  fraction(app, "--slow", f.slow, "export files written slowly (the CSV grows before its marker)")
      ->group(faults);
  milliseconds(app, "--slow-ms", f.slow_write, "how long a slow file grows")->group(faults);
  fraction(app, "--bad-rows", f.bad_rows,
           "rows missing 工单编号 or 受理时间, or of an unknown 派单类型")
      ->group(faults);
  fraction(app, "--out-of-order", f.out_of_order, "export files written after the next one")
      ->group(faults);
  fraction(app, "--duplicates", f.duplicates, "新派单 exported again later")->group(faults);
  fraction(app, "--busy", f.busy, "result rows answered 失败 系统繁忙请重试")->group(faults);
  milliseconds(app, "--poll-ms", h.poll, "how often import/ is read");
  value(app, "--duration", h.duration_s, "S", "stop after S seconds (0: until a signal)")
      ->check(kNonNegative);
  app.add_flag("--once", h.once, "issue --count rows at once, answer import/ once, and exit");
  app.add_option("--ledger", o.ledger, "ledger path (default DIR/sim-ledger.json)")
      ->type_name("FILE");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"appealhub-sim: the outside platforms, simulated (sim/README.md)", "appealhub-sim"};
  cli.require_subcommand(1);
  cli.get_formatter()->column_width(34);
  MailboxCommand mailbox;
  PetitionCommand petition;
  hotline::HotlineCommand hotline_command;
  add_mailbox(cli, mailbox);
  add_petition(cli, petition);
  add_hotline(cli, hotline_command);
  if (argc < 2) {
    std::cerr << cli.help();
    return 2;
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e);  // --help
    // Named after the simulator being parsed; an argument nothing took is named first.
    std::string path = cli.get_name(), message = e.what();
    for (const auto* sub : cli.get_subcommands()) path += " " + sub->get_name();
    if (const auto extra = cli.remaining(true); !extra.empty()) {
      message = (cli.get_subcommands().empty() ? "no simulator '" : "unexpected argument '") +
                extra.front() + "'";
    }
    std::cerr << path << ": " << message << "\nRun `" << path << " --help` for its options.\n";
    return 2;
  }
  const auto& name = cli.get_subcommands().front()->get_name();
  if (name == "mailbox") return run_mailbox_sim(mailbox);
  if (name == "petition") return run_petition_sim(petition);
  return hotline::run(hotline_command);
}
