#include "storage/knowledge.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/appeal.hpp"
#include "core/field_rules.hpp"
#include "core/json_reader.hpp"
#include "core/search_terms.hpp"
#include "core/text.hpp"
#include "storage/statement.hpp"

namespace appealhub::storage {
namespace {

// Where a term occurs counts: a question's or a keyword's term says what the entry is about, an
// answer's term may be incidental (tuned on tests/storage/data/knowledge-labelled.json).
constexpr double kQuestionWeight = 3.0;
constexpr double kKeywordWeight = 3.0;
constexpr double kAnswerWeight = 1.0;

// A term held by more than this share of the searchable entries (and by more than
// kCommonTermFloor) says little and costs the most to look up (e.g. 怎么 in a knowledge base of
// questions): it is left out of a search, which bounds a search's work at any size
// (docs/decisions/0016-knowledge-search-terms.md).
constexpr double kCommonTermShare = 0.05;
constexpr int kCommonTermFloor = 50;

// China local date today, as PostgreSQL computes it (the review date is a local date).
// The source named in a shipped knowledge file's errors.
constexpr const char* kShipped = "shipped knowledge";

constexpr const char* kToday = "((now() AT TIME ZONE 'Asia/Shanghai')::date)";

constexpr const char* kColumns =
    "e.id, e.question, e.answer, e.keywords, e.category, e.divisions, e.policy_title,"
    " e.policy_number, coalesce(to_char(e.policy_date, 'YYYY-MM-DD'), ''), e.policy_url,"
    " e.owner_department, to_char(e.review_date, 'YYYY-MM-DD'), e.state, e.version,"
    " to_char(e.updated_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00'),"
    " e.updated_by, (e.state = 'published' AND e.review_date <= "
    "((now() AT TIME ZONE 'Asia/Shanghai')::date))";

KnowledgeEntry read_entry(const pqxx::row& r) {
  KnowledgeEntry e;
  e.id = r[0].as<std::int64_t>();
  e.question = r[1].as<std::string>();
  e.answer = r[2].as<std::string>();
  e.keywords = text_array_of(r[3]);
  e.category = r[4].as<std::string>();
  e.divisions = text_array_of(r[5]);
  e.policy_title = r[6].as<std::string>();
  e.policy_number = r[7].as<std::string>();
  e.policy_date = r[8].as<std::string>();
  e.policy_url = r[9].as<std::string>();
  e.owner_department = r[10].as<std::string>();
  e.review_date = r[11].as<std::string>();
  e.state = r[12].as<std::string>();
  e.version = r[13].as<int>();
  e.updated_at = r[14].as<std::string>();
  e.updated_by = r[15].as<std::string>();
  e.review_due = r[16].as<bool>();
  return e;
}

// Each distinct term of the entry with the sum of the weights of the fields it occurs in.
std::map<std::string, double> entry_terms(const KnowledgeEntry& e) {
  std::map<std::string, double> out;
  const auto add = [&](const std::string& text, double weight) {
    std::set<std::string> seen;
    for (auto& t : core::search_terms(text)) {
      if (seen.insert(t).second) out[t] += weight;
    }
  };
  add(e.question, kQuestionWeight);
  std::string keywords;
  for (const auto& k : e.keywords) keywords += k + "，";
  add(keywords, kKeywordWeight);
  add(e.answer, kAnswerWeight);
  return out;
}

// Rewrites the entry's search terms: only a published entry has any.
void index_entry(pqxx::dbtransaction& txn, const KnowledgeEntry& e, bool was_published) {
  const bool published = e.state == "published";
  if (published != was_published) {
    txn.exec_params("UPDATE kb_search_stats SET published = published + $1 WHERE id = 1",
                    published ? 1 : -1);
  }
  if (was_published) txn.exec_params("DELETE FROM kb_terms WHERE entry_id = $1", e.id);
  if (!published) return;
  ColumnArrays rows({"text", "real"});
  for (const auto& [term, weight] : entry_terms(e)) {
    rows.add(0, term);
    rows.add(1, std::to_string(weight));
  }
  Statement s("INSERT INTO kb_terms (term, entry_id, weight) SELECT v.term, ");
  s.param(std::to_string(e.id), "::bigint").sql(", v.weight FROM ");
  std::move(rows).unnest_into(s, "term, weight");
  s.exec(txn);
}

void save_version(pqxx::dbtransaction& txn, const KnowledgeEntry& e, const std::string& by,
                  const std::string& note) {
  auto snapshot = to_json(e);
  for (const char* k : {"id", "version", "updated_at", "updated_by", "review_due"})
    snapshot.erase(k);
  txn.exec_params(
      "INSERT INTO kb_entry_versions (entry_id, version, entry, changed_by, note)"
      " VALUES ($1, $2, $3::jsonb, $4, $5)",
      e.id, e.version, snapshot.dump(), by, note);
}

std::optional<std::string> nullable_date(const std::string& d) {
  if (d.empty()) return std::nullopt;
  return d;
}

bool is_date(const std::string& text) {
  static const std::regex pattern("^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$");
  return std::regex_match(text, pattern);
}

// Query terms with their weights: rare terms count most (inverse document frequency over the
// searchable entries); terms no entry has and very common ones are dropped.
std::pair<std::vector<std::string>, std::vector<double>> weighted_terms(pqxx::transaction_base& txn,
                                                                        std::string_view text) {
  std::vector<std::string> terms;
  std::set<std::string> seen;
  for (auto& t : core::search_terms(text)) {
    if (seen.insert(t).second) terms.push_back(std::move(t));
  }
  std::vector<std::string> kept;
  std::vector<double> weights;
  if (terms.empty()) return {kept, weights};
  const double n =
      std::max<double>(1, txn.exec1("SELECT published FROM kb_search_stats")[0].as<double>());
  const auto cap = std::max<long>(kCommonTermFloor, static_cast<long>(kCommonTermShare * n));
  // Counted up to one past the cap: a common term costs no more than a rare one.
  Statement s(
      "SELECT t.term, (SELECT count(*) FROM (SELECT 1 FROM kb_terms k WHERE k.term = t.term"
      " LIMIT ");
  s.param(std::to_string(cap + 1), "::bigint")
      .sql(") x) FROM unnest(")
      .text_array(terms)
      .sql(") AS t(term)");
  for (const auto& r : s.exec(txn)) {
    const double df = r[1].as<double>();
    if (df == 0 || df > cap) continue;
    kept.push_back(r[0].as<std::string>());
    weights.push_back(std::log(1.0 + n / df));
  }
  return {kept, weights};
}

}  // namespace

nlohmann::json to_json(const KnowledgeEntry& e) {
  return {{"id", e.id},
          {"question", e.question},
          {"answer", e.answer},
          {"keywords", e.keywords},
          {"category", e.category},
          {"divisions", e.divisions},
          {"policy",
           {{"title", e.policy_title},
            {"number", e.policy_number},
            {"date", e.policy_date.empty() ? nlohmann::json() : nlohmann::json(e.policy_date)},
            {"url", e.policy_url}}},
          {"owner_department", e.owner_department},
          {"review_date", e.review_date},
          {"state", e.state},
          {"version", e.version},
          {"updated_at", e.updated_at},
          {"updated_by", e.updated_by},
          {"review_due", e.review_due}};
}

namespace {

// A member that is there and not null (null counts as absent), marking the key as read.
const nlohmann::json* present(core::JsonReader& r, std::string_view key) {
  const auto* v = r.take(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

// A text member of at most `max` characters; a required one must be there and not empty.
std::string text(core::JsonReader& r, std::string_view key, std::size_t max, bool required) {
  std::string value;
  if (present(r, key) == nullptr) {
    if (required) r.fail_at(r.path_of(key), "required");
    return value;
  }
  if (!r.text(key, value)) return value;
  const auto length = core::utf8_length(value);
  if (!length || core::has_control_characters(value, true)) {
    r.fail_at(r.path_of(key), "must be plain UTF-8 text");
  } else if (*length > max) {
    r.fail_at(r.path_of(key), "at most " + std::to_string(max) + " characters");
  } else if (required && value.empty()) {
    r.fail_at(r.path_of(key), "must not be empty");
  }
  return value;
}

// A list of at most `max_items` strings of 1 to `max_chars` characters each.
std::vector<std::string> list(core::JsonReader& r, std::string_view key, std::size_t max_items,
                              std::size_t max_chars) {
  std::vector<std::string> out;
  if (present(r, key) == nullptr) return out;
  const auto not_a_list = "must be a list of at most " + std::to_string(max_items) + " strings";
  if (!r.strings(key, out, not_a_list)) return out;
  if (out.size() > max_items) r.fail_at(r.path_of(key), not_a_list);
  for (std::size_t k = 0; k < out.size(); ++k) {
    if (out[k].empty() || core::utf8_length(out[k]).value_or(max_chars + 1) > max_chars) {
      r.fail_at(r.path_of(key) + "[" + std::to_string(k) + "]",
                "must be a string of 1 to " + std::to_string(max_chars) + " characters");
    }
  }
  return out;
}

// The policy an entry rests on: {title, number, date, url}, each optional.
void read_policy(core::JsonReader& r, KnowledgeEntry& e) {
  if (present(r, "policy") == nullptr) return;
  auto policy = r.object("policy");
  if (!policy) return;
  e.policy_title = text(*policy, "title", 200, false);
  e.policy_number = text(*policy, "number", 100, false);
  e.policy_date = text(*policy, "date", 10, false);
  e.policy_url = text(*policy, "url", 500, false);
  policy->refuse_unknown();
  if (!e.policy_date.empty() && !is_date(e.policy_date)) {
    policy->fail_at(policy->path_of("date"), "a date YYYY-MM-DD");
  }
  if (!e.policy_url.empty() && !e.policy_url.starts_with("https://") &&
      !e.policy_url.starts_with("http://")) {
    policy->fail_at(policy->path_of("url"), "an http(s) link");
  }
}

// What the entry is about and where it applies: its category and its division codes.
void read_scope(core::JsonReader& r, KnowledgeEntry& e) {
  e.category = text(r, "category", 64, false);
  if (e.category.empty()) e.category = "other";
  if (!core::is_business_category(e.category)) r.fail_at(r.path_of("category"), "unknown category");
  e.divisions = list(r, "divisions", 20, 6);
  if (!std::all_of(e.divisions.begin(), e.divisions.end(), core::is_division_code)) {
    r.fail_at(r.path_of("divisions"), "six-digit division codes");
  }
}

// Who answers for the entry and its state: owner, review date and draft, published or expired.
void read_ownership(core::JsonReader& r, KnowledgeEntry& e) {
  e.owner_department = text(r, "owner_department", 64, true);
  e.review_date = text(r, "review_date", 10, true);
  if (!e.review_date.empty() && !is_date(e.review_date)) {
    r.fail_at(r.path_of("review_date"), "a date YYYY-MM-DD");
  }
  e.state = text(r, "state", 16, false);
  if (e.state.empty()) e.state = "draft";
  if (e.state != "draft" && e.state != "published" && e.state != "expired") {
    r.fail_at(r.path_of("state"), "draft, published or expired");
  }
}

}  // namespace

KnowledgeEntry entry_from_json(core::JsonReader& r) {
  KnowledgeEntry e;
  e.question = text(r, "question", 200, true);
  e.answer = text(r, "answer", 5000, true);
  e.keywords = list(r, "keywords", 30, 20);
  read_scope(r, e);
  read_policy(r, e);
  read_ownership(r, e);
  return e;
}

std::int64_t create_entry(pqxx::dbtransaction& txn, const KnowledgeEntry& in, const std::string& by,
                          const std::string& note) {
  KnowledgeEntry e = in;
  e.version = 1;
  e.id = txn.exec_params1(
                "INSERT INTO kb_entries (question, answer, keywords, category, divisions,"
                " policy_title, policy_number, policy_date, policy_url, owner_department,"
                " review_date, state, updated_by) VALUES ($1, $2, $3::text[], $4, $5::text[],"
                " $6, $7, $8::date, $9, $10, $11::date, $12, $13) RETURNING id",
                e.question, e.answer, text_array_literal(e.keywords), e.category,
                text_array_literal(e.divisions), e.policy_title, e.policy_number,
                nullable_date(e.policy_date), e.policy_url, e.owner_department, e.review_date,
                e.state, by)[0]
             .as<std::int64_t>();
  save_version(txn, e, by, note);
  index_entry(txn, e, false);
  return e.id;
}

std::optional<int> update_entry(pqxx::dbtransaction& txn, const KnowledgeEntry& in,
                                int expected_version, const std::string& by,
                                const std::string& note) {
  KnowledgeEntry e = in;
  const auto r = txn.exec_params(
      "UPDATE kb_entries e SET question = $3, answer = $4, keywords = $5::text[], category = $6,"
      " divisions = $7::text[], policy_title = $8, policy_number = $9, policy_date = $10::date,"
      " policy_url = $11, owner_department = $12, review_date = $13::date, state = $14,"
      " version = e.version + 1, updated_at = now(), updated_by = $15"
      " FROM (SELECT id, state FROM kb_entries WHERE id = $1 FOR UPDATE) old"
      " WHERE e.id = old.id AND e.version = $2 RETURNING e.version, old.state",
      e.id, expected_version, e.question, e.answer, text_array_literal(e.keywords), e.category,
      text_array_literal(e.divisions), e.policy_title, e.policy_number,
      nullable_date(e.policy_date), e.policy_url, e.owner_department, e.review_date, e.state, by);
  if (r.empty()) return std::nullopt;
  e.version = r[0][0].as<int>();
  save_version(txn, e, by, note);
  index_entry(txn, e, r[0][1].as<std::string>() == "published");
  return e.version;
}

std::optional<KnowledgeEntry> find_entry(pqxx::transaction_base& txn, std::int64_t id) {
  const auto r =
      txn.exec_params(std::string("SELECT ") + kColumns + " FROM kb_entries e WHERE e.id = $1", id);
  if (r.empty()) return std::nullopt;
  return read_entry(r[0]);
}

nlohmann::json entry_versions(pqxx::transaction_base& txn, std::int64_t id) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : txn.exec_params(
           "SELECT version, changed_by,"
           " to_char(changed_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00'),"
           " note, entry::text FROM kb_entry_versions WHERE entry_id = $1 ORDER BY version DESC",
           id)) {
    out.push_back({{"version", r[0].as<int>()},
                   {"changed_by", r[1].as<std::string>()},
                   {"changed_at", r[2].as<std::string>()},
                   {"note", r[3].as<std::string>()},
                   {"entry", nlohmann::json::parse(r[4].as<std::string>())}});
  }
  return out;
}

std::vector<KnowledgeEntry> list_entries(pqxx::transaction_base& txn, const EntryFilter& f) {
  Statement s(std::string("SELECT ") + kColumns + " FROM kb_entries e WHERE true");
  if (!f.states.empty()) s.sql(" AND e.state = ANY(").text_array(f.states).sql(")");
  if (!f.departments.empty())
    s.sql(" AND e.owner_department = ANY(").text_array(f.departments).sql(")");
  if (f.review_due) {
    s.sql(*f.review_due ? " AND " : " AND NOT ")
        .sql("(e.state = 'published' AND e.review_date <= ")
        .sql(kToday)
        .sql(")");
  }
  s.sql(" ORDER BY e.owner_department, e.review_date, e.id LIMIT ")
      .param(std::to_string(f.limit + 1), "::int")
      .sql(" OFFSET ")
      .param(std::to_string(f.offset), "::int");
  std::vector<KnowledgeEntry> out;
  for (const auto& r : s.exec(txn)) out.push_back(read_entry(r));
  return out;
}

std::vector<KnowledgeHit> search_entries(pqxx::transaction_base& txn, std::string_view text,
                                         const std::string& division, int limit) {
  const auto [terms, weights] = weighted_terms(txn, text);
  std::vector<KnowledgeHit> out;
  if (terms.empty()) return out;
  std::string weight_list = "{";
  for (std::size_t i = 0; i < weights.size(); ++i) {
    weight_list += (i ? "," : "") + std::to_string(weights[i]);
  }
  weight_list += "}";
  // Scored on the postings alone (index-only), then the best few read with their entries.
  Statement s("WITH scored AS (SELECT k.entry_id, sum(q.w * k.weight) AS score FROM unnest(");
  s.text_array(terms)
      .sql(", ")
      .param(weight_list, "::float8[]")
      .sql(
          ") AS q(term, w) JOIN kb_terms k ON k.term = q.term GROUP BY k.entry_id"
          " ORDER BY score DESC, k.entry_id LIMIT ")
      .param(std::to_string(std::max(limit * 4, 40)), "::int")
      .sql(") SELECT ")
      .sql(kColumns)
      .sql(
          ", s.score FROM scored s JOIN kb_entries e ON e.id = s.entry_id"
          " WHERE e.state = 'published' AND (cardinality(e.divisions) = 0 OR ")
      .param(division)
      .sql(" = '' OR ")
      .param(division)
      .sql(" = ANY(e.divisions)) ORDER BY s.score DESC, e.id LIMIT ")
      .param(std::to_string(limit), "::int");
  for (const auto& r : s.exec(txn)) {
    out.push_back({read_entry(r), r[17].as<double>()});
  }
  return out;
}

int seed_knowledge(pqxx::dbtransaction& txn, std::string_view shipped_json) {
  // Every entry is read before any is stored: a broken file stores nothing and names each fault.
  std::vector<core::JsonError> errors;
  std::vector<std::pair<std::string, KnowledgeEntry>> shipped;  // key, entry
  if (const auto doc = core::parse_json_file(std::string(shipped_json), kShipped, errors)) {
    core::JsonReader file(*doc, "", kShipped, errors);
    // Other members are other readers' (the labelled test set keeps its appeals beside).
    file.required("entries");
    file.each("entries", "must be a list", [&](core::JsonReader& item, std::size_t) {
      if (!item.is_object()) return item.fail("must be an object");
      std::string key;
      if (item.required("key")) item.text("key", key);
      shipped.emplace_back(key, entry_from_json(item));
      item.refuse_unknown();
    });
  }
  if (!errors.empty()) throw std::invalid_argument(core::to_string(errors));
  txn.exec("SELECT pg_advisory_xact_lock(hashtext('knowledge:seed'))");
  int added = 0;
  for (const auto& [key, entry] : shipped) {
    if (!txn.exec_params("SELECT 1 FROM kb_entries WHERE shipped_key = $1", key).empty()) continue;
    const auto id = create_entry(txn, entry, "shipped default", "shipped with the hub");
    txn.exec_params("UPDATE kb_entries SET shipped_key = $2 WHERE id = $1", id, key);
    ++added;
  }
  return added;
}

void cite_entry(pqxx::dbtransaction& txn, std::int64_t ticket_id, const KnowledgeEntry& entry,
                std::optional<std::int64_t> answer_id, bool instant, const std::string& by) {
  txn.exec_params(
      "INSERT INTO kb_citations (ticket_id, entry_id, entry_version, answer_id, instant, cited_by)"
      " VALUES ($1, $2, $3, $4, $5, $6)",
      ticket_id, entry.id, entry.version, answer_id, instant, by);
}

std::string ticket_citations_sql(const std::string& ticket_id) {
  return "coalesce((SELECT json_agg(json_build_object('entry_id', c.entry_id, 'entry_version', "
         "c.entry_version, 'question', e.question, 'answer_id', c.answer_id, 'instant', c.instant, "
         "'cited_by', c.cited_by, 'cited_at', to_char(c.cited_at AT TIME ZONE 'Asia/Shanghai', "
         "'YYYY-MM-DD\"T\"HH24:MI:SS+08:00'), 'policy', json_build_object('title', "
         "e.policy_title, 'number', e.policy_number)) ORDER BY c.id) FROM kb_citations c JOIN "
         "kb_entries e ON e.id = c.entry_id WHERE c.ticket_id = " +
         ticket_id + "), '[]')";
}

std::vector<KnowledgeEntry> entries_due_for_review(pqxx::transaction_base& txn,
                                                   const std::vector<std::string>& departments) {
  EntryFilter f;
  f.departments = departments;
  f.review_due = true;
  f.limit = 500;
  auto out = list_entries(txn, f);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.review_date, a.id) < std::tie(b.review_date, b.id);
  });
  return out;
}

nlohmann::json similar_answers(pqxx::transaction_base& txn, const std::string& department,
                               std::string_view text, std::int64_t except_ticket, int limit) {
  // The department's latest final answers (bounded: a suggestion must come while staff write),
  // ranked by the terms their tickets share with this text, rarer terms counting more.
  constexpr int kRecentAnswers = 500;
  const auto rows = txn.exec_params(
      "SELECT DISTINCT ON (a.ticket_id) a.ticket_id, t.title, coalesce(t.appeal->>'content', ''),"
      " a.content, to_char(a.created_at AT TIME ZONE 'Asia/Shanghai',"
      " 'YYYY-MM-DD\"T\"HH24:MI:SS+08:00'), a.id"
      " FROM (SELECT * FROM answers WHERE department = $1 AND type = 'final_answer'"
      " AND ticket_id <> $2 ORDER BY id DESC LIMIT $3) a JOIN tickets t ON t.id = a.ticket_id"
      " ORDER BY a.ticket_id, a.id DESC",
      department, except_ticket, kRecentAnswers);
  std::unordered_set<std::string> query;
  for (auto& t : core::search_terms(text)) query.insert(std::move(t));
  std::vector<std::unordered_set<std::string>> docs;
  std::unordered_map<std::string, int> df;
  for (const auto& r : rows) {
    std::unordered_set<std::string> terms;
    for (auto& t : core::search_terms(r[1].as<std::string>() + "。" + r[2].as<std::string>())) {
      if (query.contains(t)) terms.insert(std::move(t));
    }
    for (const auto& t : terms) ++df[t];
    docs.push_back(std::move(terms));
  }
  std::vector<std::pair<double, std::size_t>> scored;
  const double n = std::max<double>(1, rows.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    double score = 0;
    for (const auto& t : docs[i]) score += std::log(1.0 + n / df[t]);
    if (score > 0) scored.emplace_back(score, i);
  }
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  nlohmann::json out = nlohmann::json::array();
  for (std::size_t k = 0; k < scored.size() && static_cast<int>(k) < limit; ++k) {
    const auto& r = rows[scored[k].second];
    out.push_back({{"ticket_id", r[0].as<std::int64_t>()},
                   {"title", r[1].as<std::string>()},
                   {"answer", r[3].as<std::string>()},
                   {"answered_at", r[4].as<std::string>()},
                   {"answer_id", r[5].as<std::int64_t>()},
                   {"score", std::round(scored[k].first * 1000) / 1000}});
  }
  return out;
}

}  // namespace appealhub::storage
