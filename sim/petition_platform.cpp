#include "sim/petition_platform.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "sim/appeal_writer.hpp"

namespace appealhub::sim {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

const std::string kMessagesPrefix = "/open/v2/messages";

struct FollowUp {
  std::string id, content, created_at;
};

struct Message {
  std::string msg_id, title, content, created_at, updated_at;
  std::int64_t updated_unix = 0;
  std::int64_t change_seq = 0;
  json citizen;
  std::string region_code, topic, deadline_at, state = "assigned";
  std::vector<FollowUp> follow_ups;
  json rating;  // null until rated
  json attachments = json::array();
  bool answered_main = false;
  std::set<std::string> answered_follow_ups;
};

json message_json(const Message& m) {
  json follow_ups = json::array();
  for (const auto& f : m.follow_ups) {
    follow_ups.push_back({{"id", f.id}, {"content", f.content}, {"created_at", f.created_at}});
  }
  return {{"msg_id", m.msg_id},           {"title", m.title},
          {"content", m.content},         {"created_at", m.created_at},
          {"updated_at", m.updated_at},   {"citizen", m.citizen},
          {"region_code", m.region_code}, {"topic", m.topic},
          {"deadline_at", m.deadline_at}, {"state", m.state},
          {"follow_ups", follow_ups},     {"rating", m.rating},
          {"attachments", m.attachments}};
}

struct StoredReply {
  std::string msg_id;
  json body;
  std::string reply_id, first_at;
  std::int64_t accepted_new = 0, repeated = 0, conflicting = 0;
};

struct Pending {
  std::string kind;  // follow_up, rate, withdraw, reassign
  std::string msg_id;
};

std::string random_nonce(std::mt19937_64& random) {
  static constexpr char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string nonce;
  for (int i = 0; i < 32; ++i) {
    nonce += kChars[std::uniform_int_distribution<int>(0, 61)(random)];
  }
  return nonce;
}

// Pushes events to the hub's webhook URL on a thread of its own: at least once, retried with
// backoff on anything but 200, some held back (out of order), some sent twice.
class WebhookSender {
 public:
  WebhookSender(const PetitionOptions& options, std::uint64_t seed)
      : options_(options), random_(seed) {
    if (!options_.webhook_url.empty()) thread_ = std::thread([this] { run(); });
  }
  ~WebhookSender() { stop(); }

  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void push(const json& event) {
    std::lock_guard lock(mutex_);
    Record& record = records_[event["event_id"].get<std::string>()];
    record.type = event["type"];
    record.msg_id = event["message"]["msg_id"];
    record.occurred_at = event["occurred_at"];
    if (options_.webhook_url.empty()) return;
    auto due = Clock::now();
    if (chance(options_.webhook_reorder_fraction)) {
      due += std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 2000)(random_));
      record.held_back = true;
    }
    queue_.push_back(
        Delivery{event, due, Clock::now() + seconds(options_.webhook_retry_for_s), 0, false});
    wake_.notify_all();
  }

  json ledger() const {
    std::lock_guard lock(mutex_);
    json out = json::array();
    for (const auto& [id, r] : records_) {
      out.push_back({{"event_id", id},
                     {"type", r.type},
                     {"msg_id", r.msg_id},
                     {"occurred_at", r.occurred_at},
                     {"attempts", r.attempts},
                     {"statuses", r.statuses},
                     {"delivered", r.delivered},
                     {"duplicates_sent", r.duplicates},
                     {"held_back", r.held_back},
                     {"gave_up", r.gave_up}});
    }
    return out;
  }

 private:
  struct Delivery {
    json event;
    Clock::time_point due, give_up;
    int attempts;
    bool duplicate;
  };
  struct Record {
    std::string type, msg_id, occurred_at;
    std::int64_t attempts = 0, delivered = 0, duplicates = 0;
    json statuses = json::array();  // what the hub answered, 0 for no answer (first 50)
    bool held_back = false, gave_up = false;
  };

  static Clock::duration seconds(double s) {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
  }
  bool chance(double f) {
    return f > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < f;
  }

  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      auto next =
          std::min_element(queue_.begin(), queue_.end(),
                           [](const Delivery& a, const Delivery& b) { return a.due < b.due; });
      if (next == queue_.end()) {
        wake_.wait(lock);
        continue;
      }
      if (const auto due = next->due; due > Clock::now()) {
        // A copy: push() may reallocate the queue while this waits, and wait_until reads its
        // deadline again after each wake (AddressSanitizer caught the use after free).
        wake_.wait_until(lock, due);
        continue;
      }
      Delivery delivery = std::move(*next);
      queue_.erase(next);
      const std::string body = delivery.event.dump();
      const std::string timestamp = std::to_string(unix_now());
      const std::string nonce = random_nonce(random_);
      const std::string target = plain_http_url(options_.webhook_url).value_or(http::HttpUrl{}).target;
      lock.unlock();
      const http::Headers headers = {
          {"X-App-Id", options_.app_id},
          {"X-Timestamp", timestamp},
          {"X-Nonce", nonce},
          {"X-Signature",
           petition_signature(options_.secret, "POST", target, timestamp, nonce, body)}};
      const ClientResult result = http_post(options_.webhook_url, headers, body,
                                            std::chrono::milliseconds(options_.webhook_timeout_ms));
      lock.lock();
      Record& record = records_[delivery.event["event_id"].get<std::string>()];
      ++record.attempts;
      if (record.statuses.size() < 50) record.statuses.push_back(result.status);
      ++delivery.attempts;
      if (result.status == 200) {
        ++record.delivered;
        if (!delivery.duplicate && chance(options_.webhook_duplicate_fraction)) {
          ++record.duplicates;
          delivery.duplicate = true;
          delivery.due = Clock::now() + std::chrono::milliseconds(
                                            std::uniform_int_distribution<int>(100, 1000)(random_));
          queue_.push_back(std::move(delivery));
        }
        continue;
      }
      if (Clock::now() >= delivery.give_up) {
        record.gave_up = true;
        continue;
      }
      const double backoff = std::min<double>(
          options_.webhook_retry_max_ms,
          options_.webhook_retry_initial_ms * std::pow(2.0, std::min(delivery.attempts - 1, 20)));
      delivery.due = Clock::now() + std::chrono::milliseconds(static_cast<int>(backoff));
      queue_.push_back(std::move(delivery));
    }
  }

  PetitionOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::mt19937_64 random_;
  std::vector<Delivery> queue_;
  std::map<std::string, Record> records_;
  std::thread thread_;
};

class PetitionPlatform final : public Simulation {
 public:
  explicit PetitionPlatform(const PetitionOptions& options)
      : options_(options),
        writer_(options.seed),
        limiter_(options.rate_limit),
        token_random_(options.seed ^ 0x9e3779b97f4a7c15ULL),
        token_key_(random_nonce(token_random_)),
        next_number_(options.first_number),
        webhooks_(options, options.seed + 7) {}

  std::string name() const override { return "petition"; }

  http::Response error(int status, const std::string& code,
                       const std::string& message) const override {
    return json_response(status, {{"code", code}, {"message", message}});
  }

  Outcome handle(const http::Request& request, Faults& faults) override;
  std::vector<std::string> generate(int count, const json& overrides) override;
  void advance(Clock::time_point now) override;
  json act(const json& action) override;
  json ledger() const override;
  void shutdown() override { webhooks_.stop(); }

 private:
  Outcome answer(int status, const std::string& code, const std::string& message) const {
    return Outcome{error(status, code, message), false, {}};
  }
  std::optional<Outcome> check_signature(const http::Request& request);
  Outcome list(const http::Request& request);
  Outcome one(const std::string& msg_id);
  Outcome reply(const std::string& msg_id, const http::Request& request, Faults& faults);
  std::string page_token(std::int64_t since_ms, int size, std::int64_t unix_s,
                         std::int64_t seq) const;
  // caller holds mutex_
  void touch(Message& m);
  void changed(Message& m, const std::string& event_type, json detail);
  void schedule(double low, double high, const std::string& kind, const std::string& id);
  void follow_up(Message& m, const std::string& content);
  void rate(Message& m, int score);

  PetitionOptions options_;
  mutable std::mutex mutex_;
  AppealWriter writer_;
  RateLimiter limiter_;
  std::mt19937_64 token_random_;
  std::string token_key_;  // signs page tokens so that only ours are taken
  std::int64_t next_number_;
  std::int64_t next_change_ = 1;
  std::int64_t next_reply_ = 50001;
  std::int64_t next_event_ = 7001;
  std::map<std::string, Message> messages_;
  std::vector<std::string> order_;  // msg ids in creation order
  std::map<std::pair<std::int64_t, std::int64_t>, std::string> by_change_;
  std::map<std::string, StoredReply> replies_;  // by request_id
  std::map<std::string, std::int64_t> reply_answers_;
  json events_ = json::array();
  std::multimap<Clock::time_point, Pending> scheduled_;
  std::mutex nonce_mutex_;
  std::unordered_map<std::string, std::int64_t> nonces_;  // nonce -> when first seen
  std::deque<std::pair<std::int64_t, std::string>> nonce_order_;
  WebhookSender webhooks_;  // last: stopped before the state it reads goes away
};

bool valid_nonce(const std::string& nonce) {
  return nonce.size() >= 16 && nonce.size() <= 64 &&
         std::all_of(nonce.begin(), nonce.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
}

std::optional<Outcome> PetitionPlatform::check_signature(const http::Request& request) {
  const auto app = request.header("X-App-Id");
  const auto timestamp = request.header("X-Timestamp");
  const auto nonce = request.header("X-Nonce");
  const auto signature = request.header("X-Signature");
  if (!app || !timestamp || !nonce || !signature) {
    return answer(401, "bad_signature",
                  "X-App-Id, X-Timestamp, X-Nonce and X-Signature are required");
  }
  if (*app != options_.app_id) return answer(401, "bad_signature", "unknown app id");
  if (!valid_nonce(*nonce)) {
    return answer(401, "bad_signature", "X-Nonce must be 16 to 64 characters of [A-Za-z0-9]");
  }
  if (timestamp->empty() || timestamp->size() > 12 ||
      !std::all_of(timestamp->begin(), timestamp->end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return answer(401, "bad_signature", "X-Timestamp must be Unix seconds");
  }
  const std::string expected = petition_signature(options_.secret, request.method, request.target,
                                                  *timestamp, *nonce, request.body);
  if (!constant_time_equal(expected, *signature)) {
    return answer(401, "bad_signature", "signature does not match");
  }
  const std::int64_t now = unix_now();
  if (std::llabs(now - std::stoll(*timestamp)) > options_.timestamp_window_s) {
    return answer(401, "stale_timestamp", "X-Timestamp is more than 300 seconds from our clock");
  }
  std::lock_guard lock(nonce_mutex_);
  while (!nonce_order_.empty() && nonce_order_.front().first < now - options_.nonce_memory_s) {
    nonces_.erase(nonce_order_.front().second);
    nonce_order_.pop_front();
  }
  if (!nonces_.emplace(*nonce, now).second) {
    return answer(401, "replayed_nonce", "this nonce was used in the last 15 minutes");
  }
  nonce_order_.emplace_back(now, *nonce);
  return std::nullopt;
}

Outcome PetitionPlatform::handle(const http::Request& request, Faults& faults) {
  if (auto refused = check_signature(request)) return *refused;
  if (const int wait = limiter_.acquire(options_.app_id); wait > 0) {
    Outcome out = answer(429, "rate_limited", "20 requests a second per app");
    out.response.set_header("Retry-After", std::to_string(wait));
    return out;
  }
  if (!http::parse_query(request.query())) {
    return answer(400, "invalid_request", "the query string is malformed");
  }
  const std::string path = request.path();
  if (path == kMessagesPrefix) {
    if (request.method != "GET") return answer(405, "method_not_allowed", "use GET");
    return list(request);
  }
  if (path.rfind(kMessagesPrefix + "/", 0) == 0) {
    const std::string rest = path.substr(kMessagesPrefix.size() + 1);
    const auto slash = rest.find('/');
    const std::string msg_id = http::decode_path_segment(rest.substr(0, slash)).value_or("");
    if (slash == std::string::npos) {
      if (request.method != "GET") return answer(405, "method_not_allowed", "use GET");
      return one(msg_id);
    }
    if (rest.substr(slash) == "/replies") {
      if (request.method != "POST") return answer(405, "method_not_allowed", "use POST");
      return reply(msg_id, request, faults);
    }
  }
  return answer(404, "not_found", "no such resource");
}

std::string PetitionPlatform::page_token(std::int64_t since_ms, int size, std::int64_t unix_s,
                                         std::int64_t seq) const {
  const std::string payload = json{{"s", since_ms}, {"n", size}, {"u", unix_s}, {"c", seq}}.dump();
  return base64url_encode(payload) + "." + hmac_sha256_hex(token_key_, payload).substr(0, 24);
}

Outcome PetitionPlatform::list(const http::Request& request) {
  const auto token = request.query_param("page_token");
  const auto since_text = request.query_param("updated_since");
  const auto size_text = request.query_param("page_size");
  std::optional<std::int64_t> since_ms;
  if (since_text) {
    since_ms = parse_rfc3339_ms(*since_text);
    if (!since_ms) {
      return answer(400, "invalid_request",
                    "updated_since must be an RFC 3339 time (percent-encode '+')");
    }
  }
  std::optional<int> size;
  if (size_text) {
    const bool digits = !size_text->empty() && size_text->size() <= 3 &&
                        std::all_of(size_text->begin(), size_text->end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    if (!digits || std::stoi(*size_text) < 1 || std::stoi(*size_text) > 50) {
      return answer(400, "invalid_request", "page_size must be 1..50");
    }
    size = std::stoi(*size_text);
  }
  std::pair<std::int64_t, std::int64_t> after{0, 0};
  bool from_token = false;
  if (token && !token->empty()) {
    const auto dot = token->find('.');
    const auto payload =
        dot == std::string::npos ? std::nullopt : base64url_decode(token->substr(0, dot));
    const json j = payload ? json::parse(*payload, nullptr, false) : json();
    if (!payload || j.is_discarded() || !j.is_object() ||
        !constant_time_equal(token->substr(dot + 1),
                             hmac_sha256_hex(token_key_, *payload).substr(0, 24))) {
      return answer(400, "invalid_page_token", "not a page token of this platform");
    }
    const std::int64_t token_since = j.at("s");
    const int token_size = j.at("n");
    if ((since_ms && *since_ms != token_since) || (size && *size != token_size)) {
      return answer(400, "invalid_page_token", "the page token belongs to another query");
    }
    since_ms = token_since;
    size = token_size;
    after = {j.at("u").get<std::int64_t>(), j.at("c").get<std::int64_t>()};
    from_token = true;
  } else if (!since_ms) {
    return answer(400, "invalid_request", "updated_since is required without a page_token");
  }
  const int page_size = size.value_or(20);
  std::lock_guard lock(mutex_);
  auto it = from_token ? by_change_.upper_bound(after)
                       : by_change_.lower_bound({(*since_ms + 999) / 1000, 0});
  json page = json::array();
  std::pair<std::int64_t, std::int64_t> last = after;
  for (; it != by_change_.end() && static_cast<int>(page.size()) < page_size; ++it) {
    page.push_back(message_json(messages_.at(it->second)));
    last = it->first;
  }
  json next = nullptr;
  if (it != by_change_.end()) next = page_token(*since_ms, page_size, last.first, last.second);
  return Outcome{json_response(200, {{"messages", page}, {"next_page_token", next}}), false, {}};
}

Outcome PetitionPlatform::one(const std::string& msg_id) {
  std::lock_guard lock(mutex_);
  const auto it = messages_.find(msg_id);
  if (it == messages_.end()) return answer(404, "not_found", "no such message");
  return Outcome{json_response(200, message_json(it->second)), false, {}};
}

Outcome PetitionPlatform::reply(const std::string& msg_id, const http::Request& request,
                                Faults& faults) {
  std::lock_guard lock(mutex_);
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("request_id") ||
      !body["request_id"].is_string() || body["request_id"].get<std::string>().empty()) {
    ++reply_answers_["422 invalid"];
    return answer(422, "invalid", "a JSON object with a request_id is required");
  }
  const std::string request_id = body["request_id"];
  if (const auto seen = replies_.find(request_id); seen != replies_.end()) {
    if (seen->second.msg_id == msg_id && seen->second.body == body) {
      ++seen->second.repeated;
      ++reply_answers_["200"];
      return Outcome{json_response(200, {{"reply_id", seen->second.reply_id}}), false, {}};
    }
    ++seen->second.conflicting;
    ++reply_answers_["422 invalid"];
    return answer(422, "invalid", "request_id already used for another message or body");
  }
  const auto found = messages_.find(msg_id);
  if (found == messages_.end()) {
    ++reply_answers_["404 not_found"];
    return answer(404, "not_found", "no such message");
  }
  Message& m = found->second;
  if (m.state == "withdrawn" || m.state == "reassigned") {
    ++reply_answers_["409 state_conflict"];
    return answer(409, "state_conflict", "the message is " + m.state);
  }
  std::string problem;
  const json reply_to = body.value("reply_to", json());
  if (!body.contains("content") || !body["content"].is_string()) {
    problem = "content must be a string";
  } else if (body["content"].get<std::string>().find_first_not_of(" \t\r\n") == std::string::npos) {
    problem = "content is empty";
  } else if (utf8_length(body["content"].get<std::string>()) > 3000) {
    problem = "content is over 3000 characters";
  } else if (!body.contains("handler_unit") || !body["handler_unit"].is_string() ||
             body["handler_unit"].get<std::string>().empty()) {
    problem = "handler_unit must be a non-empty string";
  } else if (!body.contains("handled_at") || !body["handled_at"].is_string() ||
             !parse_rfc3339_ms(body["handled_at"].get<std::string>())) {
    problem = "handled_at must be an RFC 3339 time";
  } else if (!reply_to.is_null() &&
             (!reply_to.is_string() ||
              std::none_of(m.follow_ups.begin(), m.follow_ups.end(), [&](const FollowUp& f) {
                return f.id == reply_to.get<std::string>();
              }))) {
    problem = "reply_to names no follow-up of this message";
  }
  if (!problem.empty()) {
    ++reply_answers_["422 invalid"];
    return answer(422, "invalid", problem);
  }
  StoredReply stored{msg_id, body, "RP" + std::to_string(next_reply_++), rfc3339(unix_now()), 1,
                     0,      0};
  const bool main_answer = reply_to.is_null();
  if (main_answer) {
    if (!m.answered_main && m.rating.is_null() && writer_.chance(options_.rating_fraction)) {
      schedule(0.2, 1.0, "rate", msg_id);
    }
    m.answered_main = true;
  } else {
    m.answered_follow_ups.insert(reply_to.get<std::string>());
  }
  if (m.answered_main && m.answered_follow_ups.size() == m.follow_ups.size() &&
      m.state == "assigned") {
    m.state = "replied";
  }
  touch(m);
  events_.push_back({{"kind", "state_replied"},
                     {"msg_id", msg_id},
                     {"at", m.updated_at},
                     {"request_id", request_id}});
  const std::string reply_id = stored.reply_id;
  replies_.emplace(request_id, std::move(stored));
  if (faults.drop_after_store()) {
    ++reply_answers_["201 stored, connection dropped"];
    return Outcome{{}, true, {}};
  }
  ++reply_answers_["201"];
  return Outcome{json_response(201, {{"reply_id", reply_id}}), false, {}};
}

void PetitionPlatform::touch(Message& m) {
  by_change_.erase({m.updated_unix, m.change_seq});
  m.updated_unix = unix_now();
  m.change_seq = next_change_++;
  m.updated_at = rfc3339(m.updated_unix);
  by_change_.emplace(std::make_pair(m.updated_unix, m.change_seq), m.msg_id);
}

void PetitionPlatform::changed(Message& m, const std::string& event_type, json detail) {
  touch(m);
  const std::string event_id = "E" + std::to_string(next_event_++);
  detail["kind"] = event_type.substr(std::string("message.").size());
  detail["msg_id"] = m.msg_id;
  detail["at"] = m.updated_at;
  detail["event_id"] = event_id;
  events_.push_back(std::move(detail));
  webhooks_.push({{"event_id", event_id},
                  {"type", event_type},
                  {"occurred_at", m.updated_at},
                  {"message", message_json(m)}});
}

void PetitionPlatform::schedule(double low, double high, const std::string& kind,
                                const std::string& id) {
  const double seconds = options_.life_seconds * (low + (high - low) * writer_.uniform());
  scheduled_.emplace(Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(seconds)),
                     Pending{kind, id});
}

std::vector<std::string> PetitionPlatform::generate(int count, const json& overrides) {
  static const std::vector<std::string> kTopics = {"交通出行", "交通出行", "交通出行", "交通出行",
                                                   "城乡建设", "公共服务", "市场监管"};
  std::lock_guard lock(mutex_);
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    const WrittenAppeal appeal = writer_.appeal();
    Message m;
    const std::int64_t now = unix_now();
    const std::string date = rfc3339(now);
    char number[8];
    std::snprintf(number, sizeof number, "%06d", static_cast<int>(next_number_++ % 1000000));
    m.msg_id =
        "WZ" + date.substr(0, 4) + "-" + date.substr(5, 2) + date.substr(8, 2) + "-" + number;
    m.title = appeal.subject;
    m.content = appeal.content;
    // The platform strips the mailbox-style entities: its text is plain.
    for (const auto& [entity, plain] :
         {std::pair<std::string, std::string>{"&amp; ", ""}, {"&quot;", "“"}}) {
      for (auto pos = m.content.find(entity); pos != std::string::npos;
           pos = m.content.find(entity)) {
        m.content.replace(pos, entity.size(), plain);
      }
    }
    m.created_at = date;
    const bool verified = writer_.chance(0.6);
    const std::string phone = writer_.phone();
    m.citizen = {{"nickname", writer_.nickname()},
                 {"phone_masked", verified ? phone.substr(0, 3) + "****" + phone.substr(7) : ""},
                 {"verified", verified}};
    m.region_code = appeal.division.code;
    m.topic = writer_.pick(kTopics);
    m.deadline_at = rfc3339(now + 14 * 86400).substr(0, 10) + "T23:59:59+08:00";
    if (writer_.chance(0.2)) {
      m.attachments.push_back(
          {{"name", "现场照片.jpg"},
           {"url", "https://wlwz.example.gov.cn/att/" + writer_.hex(16) + ".jpg"}});
    }
    if (overrides.contains("state")) m.state = overrides["state"].get<std::string>();
    const std::string id = m.msg_id;
    messages_.emplace(id, std::move(m));
    order_.push_back(id);
    ids.push_back(id);
    Message& stored = messages_.at(id);
    changed(stored, "message.assigned",
            {{"title", stored.title}, {"region_code", stored.region_code}});
    const double fate = writer_.uniform();
    if (fate < options_.withdraw_fraction) {
      schedule(0.3, 1.0, "withdraw", id);
    } else if (fate < options_.withdraw_fraction + options_.reassign_fraction) {
      schedule(0.05, 0.4, "reassign", id);
    }
    if (writer_.chance(options_.follow_up_fraction)) schedule(0.3, 1.0, "follow_up", id);
  }
  return ids;
}

void PetitionPlatform::follow_up(Message& m, const std::string& content) {
  FollowUp f{"F" + std::to_string(m.follow_ups.size() + 1), content, rfc3339(unix_now())};
  m.follow_ups.push_back(f);
  if (m.state == "replied" || m.state == "rated") m.state = "assigned";  // needs its own answer
  changed(m, "message.follow_up", {{"follow_up_id", f.id}, {"content", f.content}});
}

void PetitionPlatform::rate(Message& m, int score) {
  m.rating = {{"score", score},
              {"comment", writer_.rating_comment(score >= 4)},
              {"rated_at", rfc3339(unix_now())}};
  m.state = "rated";
  changed(m, "message.rated", {{"score", score}});
}

void PetitionPlatform::advance(Clock::time_point now) {
  static const std::vector<int> kScores = {5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1, 1};
  std::lock_guard lock(mutex_);
  while (!scheduled_.empty() && scheduled_.begin()->first <= now) {
    const Pending pending = scheduled_.begin()->second;
    scheduled_.erase(scheduled_.begin());
    Message& m = messages_.at(pending.msg_id);
    const bool closed = m.state == "withdrawn" || m.state == "reassigned";
    if (closed) continue;
    if (pending.kind == "withdraw" && m.state != "rated") {
      m.state = "withdrawn";
      changed(m, "message.withdrawn", json::object());
    } else if (pending.kind == "reassign" && !m.answered_main) {
      m.state = "reassigned";
      changed(m, "message.reassigned", json::object());
    } else if (pending.kind == "follow_up") {
      WrittenAppeal about{"", {m.region_code, "本地"}, m.title, m.content};
      for (const auto& d : AppealWriter::divisions()) {
        if (d.code == m.region_code) about.division = d;
      }
      follow_up(m, writer_.follow_up_text(about));
    } else if (pending.kind == "rate" && m.answered_main) {
      rate(m, writer_.pick(kScores));
    }
  }
}

json PetitionPlatform::act(const json& action) {
  const std::string what = action.value("action", "");
  const std::string id = action.value("id", "");
  std::lock_guard lock(mutex_);
  const auto it = messages_.find(id);
  if (it == messages_.end()) throw ControlError(404, "no message " + id);
  Message& m = it->second;
  if (m.state == "withdrawn" || m.state == "reassigned") {
    throw ControlError(409, "the message is " + m.state);
  }
  if (what == "follow_up") {
    follow_up(m, action.value("content", std::string("请问处理得怎么样了？已经过去一周了。")));
  } else if (what == "rate") {
    if (!m.answered_main) throw ControlError(409, "only an answered message can be rated");
    const int score = action.value("score", 5);
    if (score < 1 || score > 5) throw ControlError(400, "score must be 1..5");
    rate(m, score);
  } else if (what == "withdraw") {
    m.state = "withdrawn";
    changed(m, "message.withdrawn", json::object());
  } else if (what == "reassign") {
    m.state = "reassigned";
    changed(m, "message.reassigned", json::object());
  } else if (what == "touch") {
    changed(m, "message.assigned", json::object());  // the platform re-sends it unchanged
  } else {
    throw ControlError(400, "action must be follow_up, rate, withdraw, reassign or touch");
  }
  return message_json(m);
}

json PetitionPlatform::ledger() const {
  std::lock_guard lock(mutex_);
  json messages = json::array();
  for (const auto& id : order_) {
    const Message& m = messages_.at(id);
    messages.push_back({{"msg_id", m.msg_id},
                        {"title", m.title},
                        {"region_code", m.region_code},
                        {"topic", m.topic},
                        {"created_at", m.created_at},
                        {"updated_at", m.updated_at},
                        {"deadline_at", m.deadline_at},
                        {"state", m.state},
                        {"follow_ups", m.follow_ups.size()},
                        {"rating", m.rating}});
  }
  json replies = json::array();
  for (const auto& [request_id, r] : replies_) {
    replies.push_back({{"request_id", request_id},
                       {"msg_id", r.msg_id},
                       {"reply_to", r.body.value("reply_to", json())},
                       {"reply_id", r.reply_id},
                       {"body", r.body},
                       {"first_at", r.first_at},
                       {"accepted_new", r.accepted_new},
                       {"repeated", r.repeated},
                       {"conflicting", r.conflicting}});
  }
  json answers = json::object();
  for (const auto& [what, count] : reply_answers_) answers[what] = count;
  return {
      {"issued", {{"messages", messages}, {"events", events_}, {"webhooks", webhooks_.ledger()}}},
      {"received", {{"replies", replies}, {"reply_answers", answers}}}};
}

}  // namespace

std::string petition_signature(const std::string& secret, const std::string& method,
                               const std::string& path_and_query, const std::string& timestamp,
                               const std::string& nonce, const std::string& body) {
  return hmac_sha256_hex(secret, method + "\n" + path_and_query + "\n" + timestamp + "\n" + nonce +
                                     "\n" + sha256_hex(body));
}

std::unique_ptr<Simulation> make_petition_simulation(const PetitionOptions& options) {
  return std::make_unique<PetitionPlatform>(options);
}

}  // namespace appealhub::sim
