#include "sim/appeal_writer.hpp"

#include <cstdio>
#include <map>

namespace appealhub::sim {
namespace {

struct Template {
  const char* subject;
  const char* content;
};

const std::map<std::string, std::vector<std::string>>& towns() {
  static const std::map<std::string, std::vector<std::string>> kTowns = {
      {"510802", {"东坝", "万缘", "上西", "嘉陵", "南河", "宝轮镇", "三堆镇", "大石镇"}},
      {"510811", {"元坝镇", "昭化古城", "红岩镇", "柏林沟镇", "卫子镇"}},
      {"510812", {"朝天镇", "曾家镇", "羊木镇", "中子镇", "大滩镇"}},
      {"510821", {"东河镇", "嘉川镇", "木门镇", "白水镇", "普济镇"}},
      {"510822", {"乔庄镇", "青溪镇", "木鱼镇", "沙州镇", "竹园镇"}},
      {"510823", {"下寺镇", "普安镇", "剑门关镇", "元山镇", "白龙镇", "开封镇"}},
      {"510824", {"陵江镇", "歧坪镇", "东青镇", "龙山镇", "云峰镇", "白驿镇"}},
  };
  return kTowns;
}

const std::map<std::string, std::string>& stations() {
  static const std::map<std::string, std::string> kStations = {
      {"510802", "广元汽车客运站"}, {"510811", "昭化客运站"}, {"510812", "朝天客运站"},
      {"510821", "旺苍汽车站"},     {"510822", "青川客运站"}, {"510823", "剑阁汽车客运站"},
      {"510824", "苍溪汽车客运站"},
  };
  return kStations;
}

const std::vector<std::string> kRoads = {"G108",         "G212",    "G5京昆高速", "G75兰海高速",
                                         "S302",         "S205",    "滨河北路",   "利州东路",
                                         "万源大桥附近", "南河大桥"};
const std::vector<std::string> kPlaces = {
    "广元火车站", "盘龙机场", "剑门关景区", "东河口地震遗址公园", "皇泽寺",
    "千佛崖",     "万达广场", "市中心医院", "凤凰山公园",         "川北幼专",
    "利州广场",   "昭化古城", "白龙湖",     "米仓山景区",         "广元东站"};
const std::vector<std::string> kWhen = {"昨天早上7点左右",  "前天晚上9点多", "本周一下午",
                                        "这几天每天早高峰", "上周六中午",    "11月以来"};

const std::map<std::string, std::vector<Template>>& templates() {
  static const std::map<std::string, std::vector<Template>> kTemplates = {
      {"咨询",
       {{"{town}到{station}的班车几点发车",
         "请问{d}{town}到{station}"
         "的班车每天有几班，末班车几点？家里老人要进城看病，网上查不到时刻表。"},
        {"咨询网约车驾驶员证办理流程",
         "本人想在{d}跑网约车，请问网约车驾驶员从业资格证要准备哪些材料？在哪里考试，多久能拿证？"},
        {"{line}路公交是否恢复原线路",
         "{line}路公交因修路改道已经两个多月了，请问{road}施工什么时候结束，{line}"
         "路什么时候恢复经过{town}？"},
        {"老年人乘车优惠卡怎么办理",
         "我父亲今年满65岁，请问在{d}办理公交老年卡需要带什么证件，是不是可以免费乘坐{line}路？"}}},
      {"投诉",
       {{"出租车{plate}拒载绕路",
         "{when}在{place}打车，车牌{plate}的出租车司机先问去哪里，听说去{town}就拒载。"
         "后来坐的另一辆车绕路多收了15元，&amp; 不给发票。\n希望严肃处理。"},
        {"{line}路公交车不按站点停靠",
         "{when}在{town}站等{line}"
         "路，车子没进站直接开走了，车上明明有空位。这种情况已经不止一次了。"},
        {"{d}{town}至县城班车经常不按时发车",
         "{town}到县城的班车最近一个月经常晚发半小时以上，{station}站内也没有任何通知，耽误上班。"},
        {"{road}{town}段路面坑洼严重",
         "{road}{town}段路面坑洼很多，晚上没有路灯，{when}有摩托车在这里摔倒，请尽快修补。"},
        {"{station}售票员态度恶劣",
         "{when}在{station}买票去{place}，售票员态度很差，问两句就不耐烦，还说&quot;不知道自己看&"
         "quot;。"}}},
      {"建议",
       {{"建议增开{station}至{place}的旅游专线",
         "{place}游客较多，但从{station}没有直达班车，建议节假日增开专线，方便外地游客。"},
        {"建议{line}路公交延长末班车时间",
         "{line}路末班车晚上8点就收车了，{town}很多人下晚班没有车坐，建议延长到晚上10点。"},
        {"建议在{road}{town}路口增设减速带和警示标志",
         "{road}经过{town}的路口车速很快，旁边就是学校，建议增设减速带和警示标志，保障学生安全。"},
        {"建议公交站台增加电子站牌",
         "{d}城区很多公交站台没有电子站牌，等{line}路不知道还要多久，建议增加实时到站信息。"}}},
      {"举报",
       {{"举报{town}有黑车非法营运",
         "{when}在{place}门口有几辆私家车（其中一辆车牌{plate}）拉客去{town}，每人收20元，"
         "没有任何营运手续，出了事谁负责？"},
        {"举报货车超限超载损坏路面",
         "{road}{town}段晚上经常有拉砂石的超载货车通过，车牌{plate}，路面已经压坏了。"},
        {"举报驾校违规加收费用",
         "{d}某驾校报名时说一次性收费，现在科目二又要求交1500元培训费，不交就不安排考试。"}}},
      {"求助",
       {{"在{line}路公交车上遗失背包",
         "{when}乘坐{line}路公交在{town}"
         "下车时把黑色背包忘在座位上，里面有身份证和药，请帮忙联系。电话同上。"},
        {"{town}山区道路塌方出行困难",
         "{d}{town}村道前几天下雨塌方，车辆过不去，村里老人孩子出行很困难，请求尽快抢修。"},
        {"残疾人乘车无法上车求助",
         "我是轮椅使用者，{station}发往{town}"
         "的班车没有无障碍设施，每次都要别人抬，请问能否帮助解决？"}}},
      {"其他",
       {{"表扬{line}路公交驾驶员",
         "{when}在{line}路车上一位老人突发不适，驾驶员立即停车并拨打120，车牌{plate}，特此表扬。"},
        {"{station}候车室空调损坏",
         "{station}候车室的空调坏了一个多星期，候车的人很多，希望尽快维修。"},
        {"关于{place}停车难的意见",
         "{place}周边停车位太少，节假日车辆乱停，希望交通部门和景区协调解决。"}}},
  };
  return kTemplates;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

}  // namespace

const std::vector<std::string>& AppealWriter::kinds() {
  static const std::vector<std::string> kKinds = {"咨询", "投诉", "建议", "举报", "求助", "其他"};
  return kKinds;
}

const std::vector<Division>& AppealWriter::divisions() {
  static const std::vector<Division> kDivisions = {
      {"510802", "利州区"}, {"510811", "昭化区"}, {"510812", "朝天区"}, {"510821", "旺苍县"},
      {"510822", "青川县"}, {"510823", "剑阁县"}, {"510824", "苍溪县"}};
  return kDivisions;
}

std::string AppealWriter::plate() {
  static const std::string kLetters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
  char digits[8];
  if (chance(0.4)) {  // new-energy taxis carry a D and five digits
    std::snprintf(digits, sizeof digits, "%05d", between(0, 99999));
    return std::string("川HD") + digits;
  }
  std::snprintf(digits, sizeof digits, "%04d", between(0, 9999));
  return std::string("川H") + kLetters[static_cast<std::size_t>(between(0, 23))] + digits;
}

std::string AppealWriter::fill(const std::string& pattern, const Division& division) {
  std::string text = pattern;
  replace_all(text, "{d}", division.name);
  replace_all(text, "{town}", pick(towns().at(division.code)));
  replace_all(text, "{station}", stations().at(division.code));
  replace_all(text, "{line}",
              std::to_string(pick(std::vector<int>{1, 2, 5, 6, 8, 11, 16, 21, 23, 30, 36})));
  replace_all(text, "{plate}", plate());
  replace_all(text, "{road}", pick(kRoads));
  replace_all(text, "{place}", pick(kPlaces));
  replace_all(text, "{when}", pick(kWhen));
  return text;
}

WrittenAppeal AppealWriter::appeal() {
  return appeal(pick(kinds()));
}

WrittenAppeal AppealWriter::appeal(const std::string& kind) {
  WrittenAppeal out;
  out.kind = kind;
  // 利州区 is the city proper: most appeals come from there.
  out.division = chance(0.4) ? divisions().front() : pick(divisions());
  const Template& t = pick(templates().at(kind));
  // Subject and content filled together so that they name the same town, line and plate.
  const std::string both = fill(std::string(t.subject) + "\x1f" + t.content, out.division);
  const auto split = both.find('\x1f');
  out.subject = both.substr(0, split);
  out.content = both.substr(split + 1);
  return out;
}

std::string AppealWriter::person_name() {
  static const std::vector<std::string> kSurnames = {"李", "王", "张", "刘", "陈", "杨",
                                                     "赵", "黄", "周", "吴", "何", "罗",
                                                     "苟", "蒲", "向", "母"};
  static const std::vector<std::string> kGiven = {"建华", "秀英", "志强", "小红", "德明",
                                                  "玉兰", "海军", "春燕", "国平", "丽"};
  const std::string& surname = pick(kSurnames);
  const int form = between(0, 9);
  if (form < 4) return surname + "先生";
  if (form < 7) return surname + "女士";
  if (form < 8) return surname + "某";
  return surname + pick(kGiven);
}

std::string AppealWriter::phone() {
  static const std::vector<std::string> kPrefixes = {"139", "138", "137", "135", "150", "151",
                                                     "158", "159", "182", "187", "188", "199"};
  char digits[12];
  std::snprintf(digits, sizeof digits, "%08d", between(0, 99999999));
  return pick(kPrefixes) + digits;
}

std::string AppealWriter::nickname() {
  static const std::vector<std::string> kNicknames = {
      "蜀道行者", "米仓山下", "嘉陵江畔", "剑门游子", "广元老王", "利州市民",
      "皇泽寺旁", "翠云廊",   "白龙湖人", "苍溪雪梨", "朝天峡客", "女皇故里"};
  if (chance(0.2)) return "网友" + std::to_string(between(100000, 999999));
  return pick(kNicknames);
}

std::string AppealWriter::follow_up_text(const WrittenAppeal& appeal) {
  const std::vector<std::string> texts = {
      "请问处理得怎么样了？已经过去一周了。",
      "回复说会加强检查，但这周还是没有变化，请问具体什么时候整治？",
      "补充一下：车牌号是" + plate() + "，时间是早上7点左右。",
      "能否给个明确的时间表？" + appeal.division.name + "很多人都在等。",
      "电话打过去没人接，麻烦再核实一下。"};
  return pick(texts);
}

std::string AppealWriter::rating_comment(bool satisfied) {
  static const std::vector<std::string> kGood = {"处理及时，谢谢！", "回复很详细。", "",
                                                 "问题已解决，点赞。"};
  static const std::vector<std::string> kBad = {"回复敷衍，问题没有解决。", "电话一直没人接。", "",
                                                "答非所问。"};
  return satisfied ? pick(kGood) : pick(kBad);
}

std::string AppealWriter::hex(std::size_t length) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += kHex[between(0, 15)];
  return out;
}

}  // namespace appealhub::sim
