// Specification of router/departments.hpp: the department directory, its file and its checks, and
// the shipped Guangyuan default (config/data/departments.json).

#include "router/departments.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/test_env.hpp"

namespace appealhub::router {
namespace {

// A file of the source tree, wherever the build is (not from __FILE__: ccache may make it
// relative).
std::string source_file(const std::string& relative) {
  return (std::filesystem::path(testing::repo_root()) / relative).string();
}

std::vector<std::string> codes(const std::vector<const Department*>& departments) {
  std::vector<std::string> out;
  out.reserve(departments.size());
  for (const auto* d : departments) out.push_back(d->code);
  return out;
}

// The errors of a file that must be refused, one a line.
std::string refusal(const std::string& text) {
  const auto load = parse_departments(text, "departments.json");
  EXPECT_FALSE(load.directory.has_value());
  return to_string(load.errors);
}

constexpr const char* kSmall = R"({
  "$comment": "a small directory",
  "departments": [
    {"code": "bureau", "name": "市交通运输局", "phone": "0839-3269293"},
    {"code": "triage", "name": "分拨中心", "phone": "12328", "parent": "bureau"},
    {"code": "office", "name": "办公室", "parent": "bureau"},
    {"code": "lzq", "name": "利州区交通运输局", "divisions": ["510802"]},
    {"code": "lzq-old", "name": "原利州区运管所", "divisions": ["510802"], "active": false},
    {"code": "wcx", "name": "旺苍县交通运输局", "phone": "13908391234", "divisions": ["510821"]}
  ]
})";

TEST(DepartmentDirectory, FindsDepartmentsByCodeAndListsThemInFileOrder) {
  const auto load = parse_departments(kSmall, "departments.json");
  ASSERT_TRUE(load.errors.empty()) << to_string(load.errors);
  const auto& directory = *load.directory;

  ASSERT_EQ(directory.size(), 6u);
  EXPECT_EQ(directory.list().front().code, "bureau");
  const Department* lzq = directory.find("lzq");
  ASSERT_NE(lzq, nullptr);
  EXPECT_EQ(lzq->name, "利州区交通运输局");
  EXPECT_EQ(lzq->divisions, std::vector<std::string>{"510802"});
  EXPECT_TRUE(lzq->active);
  EXPECT_FALSE(directory.find("lzq-old")->active);
  EXPECT_EQ(directory.find("nobody"), nullptr);
  EXPECT_TRUE(directory.contains("triage"));
}

TEST(DepartmentDirectory, ListsChildrenOfAUnit) {
  const auto directory = *parse_departments(kSmall, "departments.json").directory;
  EXPECT_EQ(codes(directory.children("bureau")), (std::vector<std::string>{"triage", "office"}));
  EXPECT_TRUE(directory.children("lzq").empty());
  EXPECT_TRUE(directory.children("").empty());  // top-level units are nobody's children
}

TEST(DepartmentDirectory, ServingADivisionIsTheActiveDepartmentsThatListIt) {
  const auto directory = *parse_departments(kSmall, "departments.json").directory;
  EXPECT_EQ(codes(directory.serving("510802")), std::vector<std::string>{"lzq"});  // not lzq-old
  EXPECT_EQ(codes(directory.serving("510821")), std::vector<std::string>{"wcx"});
  EXPECT_TRUE(directory.serving("510824").empty());
  EXPECT_TRUE(directory.serving("").empty());
}

TEST(DepartmentDirectory, IsBuiltFromDepartmentsInMemoryWithTheSameChecks) {
  const auto department = [](std::string code, std::string name) {
    Department d;
    d.code = std::move(code);
    d.name = std::move(name);
    return d;
  };
  std::vector<Department> departments{department("triage", "分拨中心"),
                                      department("lzq", "利州区交通运输局")};
  departments[1].divisions = {"510802"};
  const auto good = make_directory(departments, "admin edit");
  ASSERT_TRUE(good.errors.empty()) << to_string(good.errors);
  EXPECT_EQ(good.directory->find("lzq")->divisions.front(), "510802");

  departments.push_back(department("cxx", "苍溪县交通运输局"));
  departments.back().parent = "nobody";
  EXPECT_EQ(to_string(make_directory(departments, "admin edit").errors),
            "admin edit: departments[2].parent: unknown department 'nobody' (department 'cxx')");
}

TEST(DepartmentDirectory, WritesDepartmentsBackInTheFileFormat) {
  const auto directory = *parse_departments(kSmall, "departments.json").directory;
  nlohmann::json file = {{"departments", nlohmann::json::array()}};
  for (const auto& d : directory.list()) file["departments"].push_back(to_json(d));
  const auto again = parse_departments(file.dump(), "written");
  ASSERT_TRUE(again.errors.empty()) << to_string(again.errors);
  EXPECT_EQ(again.directory->list(), directory.list());
  EXPECT_EQ(to_json(*directory.find("lzq-old")).dump(),
            R"({"active":false,"code":"lzq-old","divisions":["510802"],"name":"原利州区运管所"})");
}

// --- What is refused, and how the error reads ------------------------------------------------

TEST(DepartmentChecks, ACodeIsARoutingKeyWord) {
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"},
                                          {"code": "Lzq", "name": "利州区交通运输局"}]})"),
            "departments.json: departments[1].code: 'Lzq' is not a department code (2 to 32 "
            "characters of a-z 0-9 _ -, it becomes the routing key dept.<code>)");
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"},
                                          {"code": "dept.x", "name": "x"}]})"),
            "departments.json: departments[1].code: 'dept.x' is not a department code (2 to 32 "
            "characters of a-z 0-9 _ -, it becomes the routing key dept.<code>)");
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"}, {"name": "x"}]})"),
            "departments.json: departments[1].code: missing");
}

TEST(DepartmentChecks, CodesAreUnique) {
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"},
                                          {"code": "lzq", "name": "利州区交通运输局"},
                                          {"code": "lzq", "name": "利州区交通运输局（重复）"}]})"),
            "departments.json: departments[2].code: 'lzq' is already used by departments[1]");
}

TEST(DepartmentChecks, ParentsExistAndFormNoCycle) {
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心", "parent": "hq"}]})"),
            "departments.json: departments[0].parent: unknown department 'hq' (department "
            "'triage')");
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"},
                                          {"code": "aa", "name": "A", "parent": "aa"}]})"),
            "departments.json: departments[1].parent: a department cannot be its own parent "
            "(department 'aa')");
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"},
                                          {"code": "aa", "name": "A", "parent": "cc"},
                                          {"code": "bb", "name": "B", "parent": "aa"},
                                          {"code": "cc", "name": "C", "parent": "bb"}]})"),
            "departments.json: departments[1].parent: the parents form a cycle: 'aa' -> 'cc' -> "
            "'bb' -> 'aa' (department 'aa')");
}

TEST(DepartmentChecks, DivisionsAreSixDigitCodesListedOnce) {
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心"},
                        {"code": "lzq", "name": "利州区交通运输局", "divisions": ["51080", "510802", "510802"]}]})"),
            "departments.json: departments[1].divisions[0]: '51080' is not a division code (6 "
            "digits, 510802) (department 'lzq')\n"
            "departments.json: departments[1].divisions[2]: '510802' is listed twice (department "
            "'lzq')");
}

TEST(DepartmentChecks, TheDispatchDeskMustExistAndBeActive) {
  EXPECT_EQ(refusal(R"({"departments": [{"code": "lzq", "name": "利州区交通运输局"}]})"),
            "departments.json: departments: the dispatch desk 'triage' (分拨中心) is missing; "
            "every directory needs it");
  EXPECT_EQ(
      refusal(R"({"departments": [{"code": "triage", "name": "分拨中心", "active": false}]})"),
      "departments.json: departments[0].active: the dispatch desk cannot be inactive (department "
      "'triage')");
}

TEST(DepartmentChecks, NamesPhonesTypesAndKeys) {
  EXPECT_EQ(refusal(R"({"departments": [{"code": "triage", "name": "分拨中心", "phone": "call us",
                                           "fax": "0839-1234567"},
                                          {"code": "lzq", "active": "yes"}, "wcx"]})"),
            "departments.json: departments[0].fax: unknown key (keys: code, name, phone, parent, "
            "divisions, active, $comment)\n"
            "departments.json: departments[1].active: must be true or false\n"
            "departments.json: departments[2]: must be an object\n"
            "departments.json: departments[0].phone: 'call us' is not a phone number "
            "(0839-3269293, 13908391234 or 12328) (department 'triage')\n"
            "departments.json: departments[1].name: missing (department 'lzq')");
  EXPECT_EQ(refusal(R"({"departments": {"triage": "分拨中心"}, "version": 2})"),
            "departments.json: version: unknown key\n"
            "departments.json: departments: must be a list\n"
            "departments.json: departments: the dispatch desk 'triage' (分拨中心) is missing; "
            "every directory needs it");
}

TEST(DepartmentChecks, BadJsonIsReportedWithLineAndColumn) {
  EXPECT_EQ(refusal("{\"departments\": [\n  {\"code\": \"triage\", \"name\": \"分拨中心\",}\n]}"),
            "departments.json:2:37: not valid JSON: syntax error while parsing object key - "
            "unexpected '}'; expected string literal");
}

TEST(DepartmentChecks, AnUnreadableFileIsAnErrorNotAnException) {
  const auto load = load_departments_file("/nonexistent/departments.json");
  EXPECT_FALSE(load.directory);
  EXPECT_EQ(to_string(load.errors), "/nonexistent/departments.json: cannot be read");
}

// --- The shipped Guangyuan directory -------------------------------------------------------------

TEST(ShippedDepartments, LoadWithoutErrors) {
  const auto load = load_departments_file(source_file("config/data/departments.json"));
  ASSERT_TRUE(load.errors.empty()) << to_string(load.errors);
  const auto& directory = *load.directory;

  EXPECT_EQ(directory.find("gyjtj")->name, "广元市交通运输局");
  EXPECT_EQ(directory.find("gyjtj")->phone, "0839-3269293");
  EXPECT_TRUE(directory.contains("triage"));
  EXPECT_EQ(directory.find("zfzd")->name, "广元市交通运输综合行政执法支队");
  EXPECT_EQ(codes(directory.children("zfzd")), (std::vector<std::string>{"zfzd-1", "zfzd-2"}));
  for (const char* code :
       {"bgs", "zhysk", "aqjdk", "fgk", "jsglk", "zfzd", "dlys", "glsw", "ghsw", "triage"}) {
    ASSERT_NE(directory.find(code), nullptr) << code;
    EXPECT_EQ(directory.find(code)->parent, "gyjtj") << code;
  }
}

TEST(ShippedDepartments, EachDistrictAndCountyHasItsBureau) {
  const auto directory =
      *load_departments_file(source_file("config/data/departments.json")).directory;
  const std::vector<std::pair<std::string, std::string>> expected{
      {"510802", "lzq"}, {"510811", "zhq"}, {"510812", "ctq"}, {"510821", "wcx"},
      {"510822", "qcx"}, {"510823", "jgx"}, {"510824", "cxx"}};
  for (const auto& [division, code] : expected) {
    EXPECT_EQ(codes(directory.serving(division)), std::vector<std::string>{code}) << division;
  }
  EXPECT_EQ(directory.find("lzq")->name, "利州区交通运输局");
  EXPECT_EQ(directory.find("cxx")->name, "苍溪县交通运输局");
  EXPECT_TRUE(directory.serving("510800").empty());  // city-level appeals: no county bureau
}

}  // namespace
}  // namespace appealhub::router
