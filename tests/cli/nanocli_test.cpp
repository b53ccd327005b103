// Runs the nanocli binary on temporary data roots and checks its output and exit codes.

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "nanotdb/engine.h"
#include "storage/data_file.h"

namespace nanotdb {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& p, std::string_view text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

Poco::JSON::Object::Ptr ParseJson(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Four samples of home/temp at +5s, +20s, +35s, +50s of 2026-05-24 00:00 (values 1..4), three
// of an int64 metric and one float on the next day.
constexpr std::string_view kData =
    "# sample data\n"
    "home/temp 1 2026-05-24 00:00:05\n"
    "home/door 1i 2026-05-24 00:00:10\n"
    "home/temp 2 2026-05-24 00:00:20\n"
    "home/door 0i 1779580830000000000\n"
    "home/temp 3.5 2026-05-24 00:00:35\n"
    "\n"
    "home/temp 4 2026-05-24 00:00:50\n"
    "home/door 1i 2026-05-25 08:00:00.5\n"
    "home/humidity 40.25 2026-05-25 09:00:00\n";

constexpr std::string_view kExported =
    "home/door 1i 2026-05-24 00:00:10.000000000\n"
    "home/door 0i 2026-05-24 00:00:30.000000000\n"
    "home/door 1i 2026-05-25 08:00:00.500000000\n"
    "home/humidity 40.25 2026-05-25 09:00:00.000000000\n"
    "home/temp 1 2026-05-24 00:00:05.000000000\n"
    "home/temp 2 2026-05-24 00:00:20.000000000\n"
    "home/temp 3.5 2026-05-24 00:00:35.000000000\n"
    "home/temp 4 2026-05-24 00:00:50.000000000\n";

class NanocliTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "nanocli_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    root_ = dir_ / "root";
    fs::create_directory(root_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliRun Nanocli(const std::vector<std::string>& args) {
    std::string cmd = ShellQuote(NANOCLI_PATH);
    for (const std::string& a : args) cmd += " " + ShellQuote(a);
    fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    cmd += " >" + ShellQuote(out.string()) + " 2>" + ShellQuote(err.string()) + " </dev/null";
    int status = std::system(cmd.c_str());
    CliRun r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = ReadFile(out);
    r.err = ReadFile(err);
    return r;
  }

  // Writes kData to a file and imports it into root_.
  void ImportSample() {
    fs::path in = dir_ / "sample.lp";
    WriteFile(in, kData);
    CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  fs::path dir_, root_;
};

class NanocliTest : public NanocliTestBase {};

// The command list gives each command one aligned line, and names every exit code.
TEST_F(NanocliTest, UsageListsEachCommandOnOneLine) {
  CliRun r = Nanocli({});
  EXPECT_EQ(r.exit_code, 2);
  const std::string text = r.out + r.err;
  const size_t from = text.find("commands:\n"), to = text.find("\n\nRun 'nanocli help");
  ASSERT_NE(from, std::string::npos) << text;
  ASSERT_NE(to, std::string::npos) << text;
  std::istringstream list(text.substr(from + 10, to - from - 10));
  int commands = 0;
  for (std::string line; std::getline(list, line); ++commands) {
    EXPECT_EQ(line.rfind("  ", 0), 0u) << "not a command line: " << line;
    EXPECT_NE(line[2], ' ') << "continuation line: " << line;
  }
  EXPECT_GE(commands, 7);
  EXPECT_NE(text.find("3 partial"), std::string::npos) << text;
}

TEST_F(NanocliTest, ImportThenExportWritesCanonicalLines) {
  fs::path in = dir_ / "sample.lp";
  WriteFile(in, kData);
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 8 samples from " + in.string() +
                               " (10 lines, 0 rejected, 2 skipped) in "));
  EXPECT_THAT(r.out, HasSubstr("databases: home"));

  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kExported);
}

TEST_F(NanocliTest, ExportImportExportGivesTheSameSamples) {
  ImportSample();
  fs::path first = dir_ / "first.lp";
  CliRun r = Nanocli({"export", "--root", root_.string(), "--db", "home", "--out", first.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("exported 8 samples of 3 metrics from home to " + first.string()));

  fs::path root2 = dir_ / "root2";
  fs::create_directory(root2);
  r = Nanocli({"import", "--root", root2.string(), "--in", first.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path second = dir_ / "second.lp";
  r = Nanocli({"export", "--root", root2.string(), "--db", "home", "--out", second.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(first), std::string(kExported));
  EXPECT_EQ(ReadFile(second), ReadFile(first));
}

// Labelled series with values that come back only if nothing is lost on the way (issue 10):
// export writes canonical keys, import reads them back, and a fresh root holds the same bits.
constexpr std::string_view kLabelled =
    "node/node_load1{job=\"node\",instance=\"a:9100\"} 0.5 2024-05-06 12:53:20\n"
    "node/node_load1{ instance='b:9100', job=\"node\" } -0 2024-05-06 12:53:20\n"
    "node/hass{friendly_name=\"Living room \\\"A\\\" \\\\ x\"} 1.796196412e+09 2024-05-06 "
    "12:53:20\n"
    "node/bytes{dev=\"sda\"} 218927059i 2024-05-06 12:53:20\n"
    "node/bytes{dev=\"sda\"} -9223372036854775808i 2024-05-06 12:53:30\n"
    "node/bytes{dev=\"sda\"} 9223372036854775807i 2024-05-06 12:53:40\n"
    "node/f{k=\"v\"} 5e-324 2024-05-06 12:53:20\n"
    "node/f{k=\"v\"} NaN 2024-05-06 12:53:30\n"
    "node/f{k=\"v\"} -Inf 2024-05-06 12:53:40\n"
    "node/f{k=\"v\"} 0.1 2024-05-06 12:53:50\n"
    "node/plain 3.4e38 2024-05-06 12:53:20\n";

constexpr std::string_view kLabelledExport =
    "node/bytes{dev=\"sda\"} 218927059i 2024-05-06 12:53:20.000000000\n"
    "node/bytes{dev=\"sda\"} -9223372036854775808i 2024-05-06 12:53:30.000000000\n"
    "node/bytes{dev=\"sda\"} 9223372036854775807i 2024-05-06 12:53:40.000000000\n"
    "node/f{k=\"v\"} 5e-324 2024-05-06 12:53:20.000000000\n"
    "node/f{k=\"v\"} NaN 2024-05-06 12:53:30.000000000\n"
    "node/f{k=\"v\"} -Inf 2024-05-06 12:53:40.000000000\n"
    "node/f{k=\"v\"} 0.1 2024-05-06 12:53:50.000000000\n"
    "node/hass{friendly_name=\"Living room \\\"A\\\" \\\\ x\"} 1796196412 2024-05-06 "
    "12:53:20.000000000\n"
    "node/node_load1{instance=\"a:9100\",job=\"node\"} 0.5 2024-05-06 12:53:20.000000000\n"
    "node/node_load1{instance=\"b:9100\",job=\"node\"} -0 2024-05-06 12:53:20.000000000\n"
    "node/plain 3.4e+38 2024-05-06 12:53:20.000000000\n";

// Every series of `db` with its samples' raw bits.
std::map<std::string, std::vector<Sample>> Dump(const fs::path& root, std::string_view db) {
  std::map<std::string, std::vector<Sample>> out;
  EngineOptions o;
  o.root = root.string();
  o.read_only = true;
  auto e = Engine::Open(std::move(o));
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return out;
  auto metrics = (*e)->ListMetrics(db);
  EXPECT_TRUE(metrics.ok());
  if (!metrics.ok()) return out;
  for (const MetricInfo& m : *metrics) {
    Status st = (*e)->ReadRange(db, m.name, kMinTimestamp, kMaxTimestamp, 1, [&](const Sample& s) {
      out[m.name].push_back(s);
      return true;
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return out;
}

TEST_F(NanocliTest, LabelledSeriesRoundTripBitForBit) {
  fs::path in = dir_ / "labelled.lp";
  WriteFile(in, kLabelled);
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("imported 11 samples"));
  fs::path first = dir_ / "first.lp";
  r = Nanocli({"export", "--root", root_.string(), "--db", "node", "--out", first.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("exported 11 samples of 6 metrics"));
  EXPECT_EQ(ReadFile(first), kLabelledExport);

  fs::path root2 = dir_ / "root2";
  fs::create_directory(root2);
  r = Nanocli({"import", "--root", root2.string(), "--in", first.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path second = dir_ / "second.lp";
  r = Nanocli({"export", "--root", root2.string(), "--db", "node", "--out", second.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(second), ReadFile(first));
  auto a = Dump(root_, "node"), b = Dump(root2, "node");
  EXPECT_EQ(a.size(), 6u);
  EXPECT_EQ(a, b);  // every series, every timestamp and every value's bits

  // query prints the keys and takes one back, in any spelling.
  r = Nanocli({"query", "--root", root2.string(), "--db", "node", "--series",
               "node_load1{job='node', instance=\"b:9100\"}"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("node_load1{instance=\"b:9100\",job=\"node\"}"));
  EXPECT_THAT(r.out, HasSubstr("rows=1 "));
  r = Nanocli({"query", "--root", root2.string(), "--db", "node", "--metric", "^node_load1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("node_load1{instance=\"a:9100\",job=\"node\"}"));
  EXPECT_THAT(r.out, HasSubstr("rows=2 "));
  r = Nanocli({"query", "--root", root2.string(), "--db", "node", "--series", "nope{a=\"b\"}"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("not found"));
}

TEST_F(NanocliTest, ExportHonoursStartAndEnd) {
  ImportSample();
  CliRun r = Nanocli({"export", "--root", root_.string(), "--db", "home", "--start",
                      "2026-05-24 00:00:20", "--end", "2026-05-24T00:00:35Z"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "home/door 0i 2026-05-24 00:00:30.000000000\n"
            "home/temp 2 2026-05-24 00:00:20.000000000\n"
            "home/temp 3.5 2026-05-24 00:00:35.000000000\n");
}

TEST_F(NanocliTest, BadLinesAreReportedWithLineNumbersAndGoodLinesKept) {
  fs::path in = dir_ / "bad.lp";
  WriteFile(in,
            "home/a 1 2026-05-24 00:00:01\n"
            "home/a 4x2 2026-05-24 00:00:02\n"
            "# comment\n"
            "homea 3 2026-05-24 00:00:03\n"
            "home/a 5 2026-05-24 00:00:04\n"
            "home/a 6 2026-05-24 00:00:00\n");
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(in.string() + ":2: invalid value \"4x2\""));
  EXPECT_THAT(r.err, HasSubstr(in.string() + ":4: invalid target \"homea\""));
  EXPECT_THAT(r.err, HasSubstr(in.string() + ":6: "));  // older than the metric's last sample
  EXPECT_THAT(r.err, HasSubstr("3 lines were rejected; the other 2 samples were imported and "
                               "kept"));
  EXPECT_THAT(r.out, HasSubstr("imported 2 samples from " + in.string() +
                               " (6 lines, 3 rejected, 1 skipped)"));

  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "home/a 1 2026-05-24 00:00:01.000000000\n"
            "home/a 5 2026-05-24 00:00:04.000000000\n");
}

TEST_F(NanocliTest, OnlyTheFirstTwentyErrorsAreListed) {
  fs::path in = dir_ / "many.lp";
  std::string text;
  for (int i = 0; i < 25; ++i) text += "nonsense\n";
  text += "home/a 1 1779580800000000000";  // no final newline
  WriteFile(in, text);
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string(), "--json"});
  EXPECT_EQ(r.exit_code, 1);
  Poco::JSON::Object::Ptr j = ParseJson(r.out);
  EXPECT_EQ(j->getValue<int>("lines"), 26);
  EXPECT_EQ(j->getValue<int>("imported"), 1);
  EXPECT_EQ(j->getValue<int>("rejected"), 25);
  EXPECT_EQ(j->getArray("errors")->size(), 20u);
  EXPECT_EQ(j->getArray("errors")->getObject(19)->getValue<int>("line"), 20);

  r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
  EXPECT_EQ(r.exit_code, 1);
  size_t listed = 0;
  for (const std::string& line : Lines(r.err)) listed += line.rfind(in.string() + ":", 0) == 0;
  EXPECT_EQ(listed, 20u);
  EXPECT_THAT(r.err, HasSubstr("... and 5 more rejected lines"));
}

TEST_F(NanocliTest, DbFlagRewritesEveryLine) {
  fs::path in = dir_ / "sample.lp";
  WriteFile(in, "a/x 1i 1779580800000000000\nb/y 2 1779580801000000000\n");
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string(), "--db", "lab"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("databases: lab"));
  r = Nanocli({"export", "--root", root_.string(), "--db", "lab"});
  EXPECT_EQ(r.out,
            "lab/x 1i 2026-05-24 00:00:00.000000000\n"
            "lab/y 2 2026-05-24 00:00:01.000000000\n");
  r = Nanocli({"export", "--root", root_.string(), "--db", "a"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("database \"a\" not found under"));
  EXPECT_THAT(r.err, HasSubstr("(databases: lab)"));
}

TEST_F(NanocliTest, QueryWithoutRangeShowsLatestValuePerMetric) {
  ImportSample();
  CliRun r = Nanocli({"query", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  EXPECT_THAT(lines[0], HasSubstr("METRIC"));
  EXPECT_THAT(lines[0], HasSubstr("TS_UTC"));
  EXPECT_EQ(lines[1].find_first_not_of("- "), std::string::npos);
  EXPECT_THAT(lines[2], HasSubstr("door"));
  EXPECT_THAT(lines[2], HasSubstr("2026-05-25 08:00:00.500000000  int64"));
  EXPECT_THAT(lines[3], HasSubstr("humidity"));
  EXPECT_THAT(lines[3], HasSubstr("40.25"));
  EXPECT_THAT(lines[4], HasSubstr("temp"));
  EXPECT_THAT(lines[4], HasSubstr("2026-05-24 00:00:50.000000000  float64"));
  EXPECT_THAT(lines[5], HasSubstr("rows=3 duration_ms="));
}

TEST_F(NanocliTest, QueryRawRowsAsJson) {
  ImportSample();
  CliRun r =
      Nanocli({"query", "--root", root_.string(), "--db", "home", "--metric", "^te", "--start",
               "1779580810", "--end", "1779580840.5", "--timestamp-unit", "s", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Poco::JSON::Object::Ptr j = ParseJson(r.out);
  EXPECT_EQ(j->getValue<std::string>("mode"), "raw");
  EXPECT_EQ(j->getValue<int64_t>("start_ns"), 1779580810000000000);
  EXPECT_EQ(j->getValue<int64_t>("end_ns"), 1779580840500000000);
  ASSERT_EQ(j->getValue<int>("row_count"), 2);
  Poco::JSON::Array::Ptr rows = j->getArray("rows");
  EXPECT_EQ(rows->getObject(0)->getValue<std::string>("metric"), "temp");
  EXPECT_EQ(rows->getObject(0)->getValue<int64_t>("timestamp_ns"), 1779580820000000000);
  EXPECT_EQ(rows->getObject(0)->getValue<double>("value"), 2.0);
  EXPECT_EQ(rows->getObject(1)->getValue<std::string>("timestamp_utc"),
            "2026-05-24 00:00:35.000000000");
  EXPECT_EQ(rows->getObject(1)->getValue<double>("value"), 3.5);
  EXPECT_EQ(rows->getObject(1)->getValue<std::string>("value_type"), "float64");
}

TEST_F(NanocliTest, QueryAggregatesStampBucketStarts) {
  ImportSample();
  CliRun r = Nanocli({"query", "--root", root_.string(), "--db", "home", "--metric", "^temp$",
                      "--start", "2026-05-24", "--end", "2026-05-24 00:00:50", "--aggregate",
                      "avg,count", "--window", "30s", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Poco::JSON::Object::Ptr j = ParseJson(r.out);
  ASSERT_EQ(j->getValue<int>("row_count"), 4);
  Poco::JSON::Array::Ptr rows = j->getArray("rows");
  auto row = [&](unsigned i) { return rows->getObject(i); };
  EXPECT_EQ(row(0)->getValue<std::string>("aggregate"), "avg");
  EXPECT_EQ(row(0)->getValue<double>("value"), 1.5);
  EXPECT_EQ(row(0)->getValue<std::string>("end_utc"), "2026-05-24 00:00:30.000000000");
  EXPECT_EQ(row(0)->getValue<std::string>("timestamp_utc"), "2026-05-24 00:00:00.000000000");
  EXPECT_EQ(row(1)->getValue<double>("value"), 3.75);
  EXPECT_EQ(row(1)->getValue<std::string>("end_utc"), "2026-05-24 00:00:50.000000000");
  EXPECT_EQ(row(1)->getValue<std::string>("start_utc"), "2026-05-24 00:00:30.000000000");
  EXPECT_EQ(row(1)->getValue<std::string>("timestamp_utc"), "2026-05-24 00:00:30.000000000");
  EXPECT_EQ(row(2)->getValue<std::string>("aggregate"), "count");
  EXPECT_EQ(row(2)->getValue<double>("value"), 2.0);
  EXPECT_EQ(row(2)->getValue<std::string>("window"), "30s");

  r = Nanocli({"query", "--root", root_.string(), "--db", "home", "--metric", "temp", "--start",
               "2026-05-24", "--end", "2026-05-24 00:00:50", "--aggregate", "max", "--window",
               "1m"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("END_UTC"));
  EXPECT_THAT(r.out, HasSubstr("temp    max  1m"));
  EXPECT_THAT(r.out, HasSubstr("rows=1 "));

  // The order statistics: samples 1, 2, 3.5, 4 (ImportSample) in one window.
  r = Nanocli({"query", "--root", root_.string(), "--db", "home", "--metric", "^temp$", "--start",
               "2026-05-24", "--end", "2026-05-24 00:00:59", "--aggregate",
               "median,p95,trimmed_avg", "--window", "1m", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = ParseJson(r.out);
  rows = j->getArray("rows");
  ASSERT_EQ(j->getValue<int>("row_count"), 3) << r.out;
  EXPECT_EQ(row(0)->getValue<std::string>("aggregate"), "median");
  EXPECT_EQ(row(0)->getValue<double>("value"), 2.75);  // (2 + 3.5) / 2
  EXPECT_EQ(row(1)->getValue<std::string>("aggregate"), "p95");
  EXPECT_DOUBLE_EQ(row(1)->getValue<double>("value"), 3.925);  // rank 2.85: 3.5 + 0.85 * 0.5
  EXPECT_EQ(row(2)->getValue<std::string>("aggregate"), "trimmed_avg");
  EXPECT_EQ(row(2)->getValue<double>("value"), 2.75);  // n = 4 drops 1 and 4
}

TEST_F(NanocliTest, InspectCatalogListsMetrics) {
  ImportSample();
  CliRun r = Nanocli({"inspect", "catalog", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("metrics=3 (int64=1 float64=2)"));
  EXPECT_THAT(r.out, HasSubstr("door"));
  EXPECT_THAT(r.out, HasSubstr("int64"));
  EXPECT_THAT(r.out, HasSubstr("----"));

  r = Nanocli({"inspect", "catalog", "--root", root_.string(), "--db", "home", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Poco::JSON::Object::Ptr j = ParseJson(r.out);
  EXPECT_EQ(j->getValue<int>("metrics"), 3);
  Poco::JSON::Array::Ptr items = j->getArray("items");
  ASSERT_EQ(items->size(), 3u);
  bool saw_temp = false;
  for (unsigned i = 0; i < items->size(); ++i) {
    if (items->getObject(i)->getValue<std::string>("name") != "temp") continue;
    saw_temp = true;
    EXPECT_EQ(items->getObject(i)->getValue<std::string>("type"), "float64");
    EXPECT_EQ(items->getObject(i)->getObject("last")->getValue<int64_t>("ts"), 1779580850000000000);
  }
  EXPECT_TRUE(saw_temp);
}

TEST_F(NanocliTest, InspectDatWalAndDbDescribeTheFiles) {
  ImportSample();
  CliRun r = Nanocli({"inspect", "dat", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("summary: files="));
  EXPECT_THAT(r.out, HasSubstr("samples=8"));
  EXPECT_THAT(r.out, HasSubstr("bytes/sample"));

  r = Nanocli({"inspect", "dat", "--root", root_.string(), "--db", "home", "--verbose"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("raw_bytes"));
  EXPECT_THAT(r.out, HasSubstr("ratio"));

  r = Nanocli({"inspect", "dat", "--root", root_.string(), "--db", "home", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Poco::JSON::Object::Ptr j = ParseJson(r.out);
  EXPECT_EQ(j->getObject("summary")->getValue<int>("samples"), 8);
  EXPECT_EQ(j->getObject("summary")->getValue<int64_t>("min_ts"), 1779580805000000000);
  EXPECT_GE(j->getArray("files")->size(), 1u);

  r = Nanocli({"inspect", "wal", "--root", root_.string(), "--db", "home", "--verbose"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("tail: valid_bytes="));
  r = Nanocli({"inspect", "wal", "--root", root_.string(), "--db", "home", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseJson(r.out)->getObject("wal")->getValue<int>("tail_bytes"), 0);

  r = Nanocli({"inspect", "db", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("database:  home"));
  EXPECT_THAT(r.out, HasSubstr("catalog:   metrics=3"));
  EXPECT_THAT(r.out, HasSubstr("manifest:  partition=day"));
  r = Nanocli({"inspect", "db", "--root", root_.string(), "--db", "home", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = ParseJson(r.out);
  EXPECT_EQ(j->getValue<int>("metrics"), 3);
  EXPECT_EQ(j->getObject("manifest")->getValue<std::string>("partition"), "day");
}

TEST_F(NanocliTest, EngineTomlManifestDefaultsApplyToNewDatabases) {
  WriteFile(root_ / "engine.toml", "[manifest_defaults.retention]\npartition = \"month\"\n");
  ImportSample();
  CliRun r = Nanocli({"inspect", "db", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("manifest:  partition=month"));

  WriteFile(root_ / "engine.toml", "[durability]\nprofile = \"sloppy\"\n");
  r = Nanocli({"query", "--root", root_.string(), "--db", "home"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("engine.toml"));
  EXPECT_THAT(r.err, HasSubstr("profile"));
}

TEST_F(NanocliTest, ImportRefusesARootHeldByAnotherProcess) {
  EngineOptions options;
  options.root = root_.string();
  Result<std::unique_ptr<Engine>> holder = Engine::Open(options);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  fs::path in = dir_ / "sample.lp";
  WriteFile(in, kData);
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("error: "));
  EXPECT_THAT(r.err, HasSubstr(std::to_string(getpid())));
}

TEST_F(NanocliTest, UsageErrorsExitTwo) {
  std::string root = root_.string();
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"frobnicate"},
      {"import", "--root", root},
      {"import", "--in", "x.lp"},
      {"import", "--root", (dir_ / "missing").string(), "--in", "x.lp"},
      {"import", "--root", root, "--in", "x.lp", "--bogus"},
      {"import", "--root", root, "--in"},
      {"export", "--root", root, "--db", ".bad"},
      {"export", "--root", root},
      {"export", "--root", root, "--db", "home", "--start", "yesterday"},
      {"export", "--root", root, "--db", "home", "--start", "-1s", "--end", "-1d"},
      {"inspect", "--root", root, "--db", "home"},
      {"inspect", "frames", "--root", root, "--db", "home"},
      {"query", "--root", root, "--db", "home", "--aggregate", "avg"},
      {"query", "--root", root, "--db", "home", "--aggregate", "p90", "--window", "1m"},
      {"query", "--root", root, "--db", "home", "--format", "xml"},
      {"query", "--root", root, "--db", "home", "--timestamp-unit", "min"},
      {"query", "--root", root, "--db", "home", "extra"},
  };
  for (const auto& args : cases) {
    CliRun r = Nanocli(args);
    std::string shown;
    for (const std::string& a : args) shown += a + " ";
    EXPECT_EQ(r.exit_code, 2) << shown << "\n" << r.err;
    EXPECT_THAT(r.err, HasSubstr("usage: nanocli")) << shown;
  }
}

TEST_F(NanocliTest, HelpAndVersionExitZero) {
  CliRun r = Nanocli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("import"));
  EXPECT_THAT(r.out, HasSubstr("inspect"));
  r = Nanocli({"help", "query"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("--timestamp-unit UNIT"));
  r = Nanocli({"import", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("usage: nanocli import --root DIR --in FILE.lp"));
  for (const char* cmd : {"inspect", "export"}) {
    r = Nanocli({cmd, "-h"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_THAT(r.out, HasSubstr("--root DIR")) << cmd;
  }
  r = Nanocli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("nanocli "));
  r = Nanocli({"help", "nope"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command \"nope\""));
}

TEST_F(NanocliTest, ImportRunsTheRollupsOfItsDatabases) {
  ImportSample();
  {
    std::ofstream m(root_ / "home" / "manifest.toml", std::ios::app);
    m << "\n[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t\"\nsource_metric = \"temp\"\n"
         "interval = \"30s\"\naggregates = [\"avg\"]\ndestination_db = \"home_30s\"\n";
  }
  fs::path more = dir_ / "more.lp";
  WriteFile(more, "home/temp 5 2026-05-24 00:01:10\n");
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", more.string(), "--no-rollup"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("rollups:")));
  WriteFile(more, "home/temp 6 2026-05-24 00:01:20\n");
  r = Nanocli({"import", "--root", root_.string(), "--in", more.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rollups: 3 points written by 1 jobs"));
  fs::path out = dir_ / "rollup.lp";
  r = Nanocli({"export", "--root", root_.string(), "--db", "home_30s", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ReadFile(out),
            "home_30s/temp.avg 1.5 2026-05-24 00:00:00.000000000\n"
            "home_30s/temp.avg 3.75 2026-05-24 00:00:30.000000000\n"
            "home_30s/temp.avg 5.5 2026-05-24 00:01:00.000000000\n");
}

TEST_F(NanocliTest, RollupRecomputesOfflineAndReplacesWhatWasThere) {
  ImportSample();
  {
    std::ofstream m(root_ / "home" / "manifest.toml", std::ios::app);
    m << "\n[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"t\"\nsource_metric = \"temp\"\n"
         "interval = \"30s\"\naggregates = [\"avg\", \"median\"]\ndestination_db = \"home_30s\"\n";
  }
  for (int run = 0; run < 2; ++run) {  // twice: the second run replaces the first's output
    CliRun r = Nanocli({"rollup", "--root", root_.string(), "--db", "home", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    Poco::JSON::Object::Ptr j = ParseJson(r.out);
    EXPECT_EQ(j->getValue<int>("points_written"), 4);
    EXPECT_EQ(j->getArray("destination_databases")->get(0).toString(), "home_30s");
    EXPECT_EQ(j->getArray("cleared_checkpoint_files")->size(), run == 0 ? 0u : 1u);
  }
  fs::path out = dir_ / "rollup.lp";
  CliRun r =
      Nanocli({"export", "--root", root_.string(), "--db", "home_30s", "--out", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // temp: 1 and 2 in [0s, 30s), 3.5 and 4 in [30s, 60s); stamped with the period start.
  EXPECT_EQ(ReadFile(out),
            "home_30s/temp.avg 1.5 2026-05-24 00:00:00.000000000\n"
            "home_30s/temp.avg 3.75 2026-05-24 00:00:30.000000000\n"
            "home_30s/temp.median 1.5 2026-05-24 00:00:00.000000000\n"
            "home_30s/temp.median 3.75 2026-05-24 00:00:30.000000000\n");

  r = Nanocli({"rollup", "--root", root_.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("rolled up home into home_30s: 1 jobs"));
  r = Nanocli({"rollup", "--root", root_.string(), "--db", "home_30s"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("database \"home_30s\" defines no rollup jobs"));
}

// Random data (gaps, a series stopping and one starting late, int64 extremes, noisy doubles,
// float32-printed values, NaN, infinities, -0) in two roots: one as imported, one rewritten
// into metric files with the raw data deleted. Queries (raw rows and every aggregate), export
// and offline rollups of both give the same bytes.
TEST_F(NanocliTest, MetricFilesAnswerQueriesExportAndRollupsAsTheRawDataDoes) {
  std::mt19937_64 rng(20261203);
  std::string lp;
  const int64_t day0 = 1767225600;  // 2026-01-01
  const char* odd[] = {"NaN", "+Inf", "-Inf", "-0", "5e-324", "1.7976931348623157e308"};
  double level[8] = {20, 20, 20, 20, 20, 20, 20, 20};
  for (int64_t t = 0; t < 3 * 86400; t += 10) {
    for (int m = 0; m < 8; ++m) {
      if (m == 5 && t > 86400) continue;                // stops after the first day
      if (m == 6 && t < 2 * 86400) continue;            // starts on the third
      if (m % 4 == 1 && (t / 3600) % 5 == 2) continue;  // hour-long gaps
      if (m == 7 && rng() % 3 == 0) continue;           // random gaps
      const int64_t ns = (day0 + t) * 1000000000 + static_cast<int64_t>(rng() % 3000000);
      std::string value;
      if (m % 3 == 0) {
        const int64_t v = rng() % 50 == 0 ? std::numeric_limits<int64_t>::min()
                                          : static_cast<int64_t>(rng() % 100000) - 50000;
        value = std::to_string(v) + "i";
      } else {
        level[m] += (static_cast<double>(rng() % 2001) - 1000) / 1000.0;
        char buf[64];
        if (m % 3 == 1) {  // printed from a float32, as a collector does
          std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(static_cast<float>(level[m])));
        } else {
          std::snprintf(buf, sizeof buf, "%.17g", level[m]);
        }
        value = rng() % 300 == 0 ? odd[rng() % 6] : buf;
      }
      lp += "src/m" + std::to_string(m) + " " + value + " " + std::to_string(ns) + "\n";
    }
  }
  const fs::path in = dir_ / "random.lp";
  WriteFile(in, lp);
  const std::string rollups =
      "\n[rollups]\nenabled = true\n[[rollups.jobs]]\nid = \"all\"\nsource_pattern = \"m*\"\n"
      "interval = \"1h\"\naggregates = [\"min\", \"max\", \"sum\", \"avg\", \"count\", "
      "\"first\", \"last\", \"median\", \"p95\", \"p99\", \"trimmed_avg\"]\n"
      "destination_db = \"src_1h\"\n";
  const fs::path raw_root = root_, mf_root = dir_ / "mf";
  fs::create_directory(mf_root);
  for (const fs::path& root : {raw_root, mf_root}) {
    CliRun r = Nanocli({"import", "--root", root.string(), "--in", in.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ofstream(root / "src" / "manifest.toml", std::ios::app) << rollups;
  }
  CliRun r = Nanocli({"build", "metric", "--root", mf_root.string(), "--db", "src", "--verify",
                      "--raw-ingest-action", "delete", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"verified\": true"));
  for (const auto& e : fs::directory_iterator(mf_root / "src")) {
    EXPECT_FALSE(e.path().filename().string().starts_with("data-")) << e.path();
  }
  r = Nanocli(
      {"build", "metric", "--root", mf_root.string(), "--db", "src", "--part", "2026-01-02"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("2026-01-02  sealed"));
  r = Nanocli({"inspect", "metric", "--root", mf_root.string(), "--db", "src", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"file\": \"metric-2026-01-03.ntm\""));
  EXPECT_THAT(r.out, HasSubstr("\"state\": \"raw replaced\""));
  // What a root answers, without the timing lines.
  auto answers = [&](const fs::path& root) {
    std::string out;
    auto run = [&](const std::vector<std::string>& args) {
      CliRun c = Nanocli(args);
      EXPECT_EQ(c.exit_code, 0) << c.err;
      for (const std::string& line : Lines(c.out)) {
        if (!line.starts_with("rows=") && !line.starts_with("exported ") &&
            !line.starts_with("rolled up ")) {
          out += line + "\n";
        }
      }
    };
    const std::string rs = root.string();
    run({"rollup", "--root", rs});
    run({"query", "--root", rs, "--db", "src", "--start", "2026-01-01", "--end", "2026-01-04"});
    run({"query", "--root", rs, "--db", "src", "--start", "2026-01-01 07:13", "--end",
         "2026-01-02 19:01:07", "--aggregate",
         "min,max,sum,avg,count,first,last,median,p95,p99,trimmed_avg", "--window", "17m",
         "--rollup", "off"});
    run({"query", "--root", rs, "--db", "src"});  // the latest values
    for (const std::string db : {"src", "src_1h"}) {
      const fs::path file = dir_ / (db + ".lp");
      run({"export", "--root", rs, "--db", db, "--out", file.string()});
      out += ReadFile(file);
    }
    return out;
  };
  const std::string raw = answers(raw_root), mf = answers(mf_root);
  EXPECT_GT(raw.size(), 1000000u);
  EXPECT_THAT(raw, HasSubstr("src_1h/m2.p95"));
  EXPECT_THAT(raw, HasSubstr("NaN"));
  EXPECT_TRUE(raw == mf) << "metric files answer differently";
  if (raw != mf) {
    const auto a = Lines(raw), b = Lines(mf);
    for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
      if (a[i] != b[i]) {
        ADD_FAILURE() << "first difference at line " << i << ":\n  raw: " << a[i]
                      << "\n  metric files: " << b[i];
        break;
      }
    }
  }
}

}  // namespace
}  // namespace nanotdb

namespace nanotdb {
namespace {

class RecoverTest : public NanocliTestBase {};

// Every file of a database directory and its bytes.
std::map<std::string, std::string> Snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename()] = ReadFile(e.path());
  return out;
}

// issue 8: with catalog.json deleted the next new metric got id 1 and returned the old
// metric's samples, and the other names were lost for good.
TEST_F(RecoverTest, RecoverRestoresEveryNameAfterTheCatalogIsDeletedTruncatedOrInvalid) {
  ImportSample();
  const fs::path catalog = root_ / "home" / "catalog.json";
  const std::string intact = ReadFile(catalog);
  for (const std::string damage : {"deleted", "truncated", "invalid"}) {
    if (damage == "deleted") fs::remove(catalog);
    if (damage == "truncated") WriteFile(catalog, intact.substr(0, intact.size() / 2));
    if (damage == "invalid")
      WriteFile(catalog, "{\"format\": \"nanotdb-catalog\", \"version\": 7}");
    CliRun r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
    EXPECT_EQ(r.exit_code, 1) << damage;
    EXPECT_THAT(r.err, HasSubstr("nanocli recover --root " + root_.string() + " --db home"))
        << damage;
    r = Nanocli({"recover", "--root", root_.string()});
    ASSERT_EQ(r.exit_code, 0) << damage << ": " << r.err;
    EXPECT_THAT(r.out, HasSubstr("database home: catalog rebuilt (3 metrics: 0 named by the "
                                 "catalog, 3 by data files, 0 by the WAL, 0 unnamed)"))
        << r.out;
    EXPECT_EQ(ReadFile(catalog), intact) << damage << ": same names, ids and types";
    r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, kExported) << damage;
  }
  // An older catalog put back after a metric was added: recover names it from the data file.
  fs::path more = dir_ / "more.lp";
  WriteFile(more, "home/pressure 1013.5 2026-05-25 10:00:00\n");
  ASSERT_EQ(Nanocli({"import", "--root", root_.string(), "--in", more.string()}).exit_code, 0);
  WriteFile(catalog, intact);
  CliRun r = Nanocli({"recover", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("catalog rebuilt (4 metrics: 3 named by the catalog, 1 by data "
                               "files, 0 by the WAL, 0 unnamed)"))
      << r.out;
  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("home/pressure 1013.5 2026-05-25 10:00:00.000000000\n"));
}

TEST_F(RecoverTest, RecoverKeepsIntactBlocksQuarantinesTheRestAndIsIdempotent) {
  ImportSample();
  const fs::path file = root_ / "home" / "data-2026-05-24.dat";
  {
    auto reader = DataFileReader::Open(Env::Default(), file.string());
    ASSERT_TRUE(reader.ok());
    const FrameIndexEntry& e = (*reader)->frames()[0];
    const FrameColumnInfo* door = nullptr;
    for (const FrameColumnInfo& c : e.header.columns) {
      if (c.count == 2) door = &c;  // home/door holds two samples that day
    }
    ASSERT_NE(door, nullptr);
    // Two bytes of one repair codeword (the block is smaller than one): beyond repair.
    std::string bytes = ReadFile(file);
    bytes[e.offset + door->values.offset] ^= 0x20;
    bytes[e.offset + door->values.offset + 1] ^= 0x02;
    WriteFile(file, bytes);
  }
  CliRun r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.err, HasSubstr("metric \"door\" lost 2 samples"));
  const auto before = Snapshot(root_ / "home");

  r = Nanocli({"recover", "--root", root_.string(), "--db", "home", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("data-2026-05-24.dat: would rewrite"));
  EXPECT_EQ(Snapshot(root_ / "home"), before) << "a dry run writes nothing";

  r = Nanocli({"recover", "--root", root_.string(), "--db", "home", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Poco::JSON::Object::Ptr report = ParseJson(r.out);
  EXPECT_TRUE(report->getValue<bool>("changed"));
  auto files = report->getArray("databases")->getObject(0)->getArray("files");
  ASSERT_EQ(files->size(), 2u);
  auto day = files->getObject(0);
  EXPECT_EQ(day->getValue<std::string>("action"), "rewritten");
  EXPECT_EQ(day->getValue<uint64_t>("kept_samples"), 4u);
  EXPECT_EQ(day->getValue<uint64_t>("lost_samples"), 2u);
  EXPECT_EQ(day->getArray("lost")->getObject(0)->getValue<std::string>("metric"), "door");
  ASSERT_EQ(day->getArray("quarantined")->size(), 1u);
  const std::string aside = day->getArray("quarantined")->getElement<std::string>(0);
  EXPECT_THAT(aside, ::testing::StartsWith("data-2026-05-24.dat.quarantine."));
  EXPECT_EQ(files->getObject(1)->getValue<std::string>("action"), "intact");

  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected;
  for (const std::string& line : Lines(std::string(kExported))) {
    if (line.find("home/door") == 0 && line.find("2026-05-24") != std::string::npos) continue;
    expected += line + "\n";
  }
  EXPECT_EQ(r.out, expected);

  const auto after = Snapshot(root_ / "home");
  r = Nanocli({"recover", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("nothing to recover"));
  EXPECT_EQ(Snapshot(root_ / "home"), after) << "a second recover changes nothing";
}

TEST_F(RecoverTest, ARepairedByteCostsNothingAndRecoverRewritesItsFrame) {
  ImportSample();
  const fs::path file = root_ / "home" / "data-2026-05-24.dat";
  {
    auto reader = DataFileReader::Open(Env::Default(), file.string());
    ASSERT_TRUE(reader.ok());
    const FrameIndexEntry& e = (*reader)->frames()[0];
    std::string bytes = ReadFile(file);
    const auto& ts = e.header.ts_blocks[0].block;  // shared by the metrics of one cycle
    bytes[e.offset + ts.offset + ts.stored_len / 2] ^= 0x5a;
    bytes[e.offset + 20] ^= 0x01;  // and the frame's directory
    WriteFile(file, bytes);
  }
  CliRun r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kExported));

  r = Nanocli({"recover", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("data-2026-05-24.dat: rewritten"));
  EXPECT_THAT(r.out, HasSubstr("damaged bytes repaired"));
  bool quarantined = false;
  for (const auto& f : fs::directory_iterator(root_ / "home")) {
    quarantined |= f.path().filename().string().find("data-2026-05-24.dat.quarantine.") == 0;
  }
  EXPECT_TRUE(quarantined) << "the damaged frame is kept aside as it was";
  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kExported));
  r = Nanocli({"recover", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("nothing to recover"));
}

TEST_F(RecoverTest, RecoverAndCompactRefuseARootHeldByAnotherProcess) {
  ImportSample();
  EngineOptions options;
  options.root = root_.string();
  Result<std::unique_ptr<Engine>> holder = Engine::Open(options);
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  for (const std::string cmd : {"recover", "compact"}) {
    CliRun r = Nanocli({cmd, "--root", root_.string(), "--db", "home"});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_THAT(r.err, HasSubstr("is in use by process " + std::to_string(getpid()))) << cmd;
  }
}

TEST_F(RecoverTest, CompactRewritesASealedPartitionAsOneFrame) {
  ImportSample();
  fs::path more = dir_ / "more.lp";
  WriteFile(more, "home/temp 5 2026-05-24 00:01:05\nhome/temp 6 2026-05-24 00:01:20\n");
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", more.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0);
  const std::string exported = r.out;
  const fs::path file = root_ / "home" / "data-2026-05-24.dat";
  auto frames = [&] {
    auto reader = DataFileReader::Open(Env::Default(), file.string());
    return reader.ok() ? (*reader)->frames().size() : 0u;
  };
  ASSERT_EQ(frames(), 2u);
  r = Nanocli({"compact", "--root", root_.string(), "--db", "home", "--part", "2026-05-24"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("data-2026-05-24.dat: 2 frames -> 1, "));
  EXPECT_EQ(frames(), 1u);
  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  EXPECT_EQ(r.out, exported);
  r = Nanocli({"compact", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("data-2026-05-24.dat: already 1 frame"));
  r = Nanocli({"compact", "--root", root_.string(), "--db", "home", "--part", "2026-02-30"});
  EXPECT_EQ(r.exit_code, 1);
}

// Event lines import next to samples, export back exactly, and inspect events lists them.
TEST_F(NanocliTest, EventLinesRoundTripThroughImportAndExport) {
  const std::string events =
      "home/temp 1 2026-05-24 00:00:05\n"
      "@event {\"db\":\"home\",\"name\":\"door.open\",\"ts\":\"2026-05-24 00:00:07\","
      "\"value\":1,\"payload\":{ \"room\": \"hall\" }}\n"
      "@event {\"db\":\"home\",\"name\":\"deploy\",\"ts\":1779580801000000001,"
      "\"value\":3.0}\n"
      "@event {\"db\":\"home\",\"name\":\"odd\",\"ts\":\"2026-05-25\",\"value\":\"NaN\"}\n"
      "@event {\"db\":\"home\",\"nam\":\"typo\"}\n";
  fs::path in = dir_ / "events.lp";
  WriteFile(in, events);
  CliRun r = Nanocli({"import", "--root", root_.string(), "--in", in.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_THAT(r.err, HasSubstr(in.string() + ":5: unknown field \"nam\""));
  EXPECT_THAT(r.out, HasSubstr("imported 1 samples and 3 events from"));

  const std::string exported =
      "home/temp 1 2026-05-24 00:00:05.000000000\n"
      "@event {\"db\":\"home\",\"name\":\"deploy\",\"ts\":\"2026-05-24 00:00:01.000000001\","
      "\"value\":3.0,\"payload\":null}\n"
      "@event {\"db\":\"home\",\"name\":\"door.open\",\"ts\":\"2026-05-24 00:00:07.000000000\","
      "\"value\":1,\"payload\":{\"room\":\"hall\"}}\n"
      "@event {\"db\":\"home\",\"name\":\"odd\",\"ts\":\"2026-05-25 00:00:00.000000000\","
      "\"value\":\"NaN\",\"payload\":null}\n";
  r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, exported);

  // The export imports into a fresh root and exports the same again.
  fs::path again = dir_ / "again.lp", root2 = dir_ / "root2";
  fs::create_directory(root2);
  WriteFile(again, r.out);
  r = Nanocli({"import", "--root", root2.string(), "--in", again.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Nanocli({"export", "--root", root2.string(), "--db", "home"});
  EXPECT_EQ(r.out, exported);

  r = Nanocli({"inspect", "events", "--root", root_.string(), "--db", "home", "--verbose"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("events:  files=2 "));
  EXPECT_THAT(r.out, HasSubstr("events-2026-05-24.evt"));
  EXPECT_THAT(r.out, HasSubstr("damaged_regions=0"));
  EXPECT_THAT(r.out, HasSubstr("door.open"));
  EXPECT_THAT(r.out, HasSubstr("{\"room\":\"hall\"}"));
}

// A damaged events block makes the export partial (exit 3) and names the region.
TEST_F(NanocliTest, DamagedEventsBlockMakesTheExportPartial) {
  fs::path in = dir_ / "events.lp";
  WriteFile(in,
            "@event {\"db\":\"home\",\"name\":\"first\",\"ts\":\"2026-05-24 00:00:01\"}\n"
            "@event {\"db\":\"home\",\"name\":\"second\",\"ts\":\"2026-05-24 00:00:02\"}\n");
  // Two imports: two blocks.
  ASSERT_EQ(Nanocli({"import", "--root", root_.string(), "--in", in.string()}).exit_code, 0);
  fs::path second = dir_ / "third.lp";
  WriteFile(second, "@event {\"db\":\"home\",\"name\":\"third\",\"ts\":\"2026-05-24 00:00:03\"}\n");
  ASSERT_EQ(Nanocli({"import", "--root", root_.string(), "--in", second.string()}).exit_code, 0);
  const fs::path file = root_ / "home" / "events-2026-05-24.evt";
  std::string bytes = ReadFile(file);
  const size_t at = bytes.find("first");
  ASSERT_NE(at, std::string::npos);
  bytes[at] = 'F';
  WriteFile(file, bytes);
  CliRun r = Nanocli({"export", "--root", root_.string(), "--db", "home"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"name\":\"third\""));
  EXPECT_EQ(r.out.find("second"), std::string::npos);
  EXPECT_THAT(r.err, HasSubstr("warning: damaged events skipped: home/events-2026-05-24.evt "
                               "offset 16: "));
  r = Nanocli({"inspect", "events", "--root", root_.string(), "--db", "home"});
  EXPECT_THAT(r.out, HasSubstr("damaged_regions=1"));
}

}  // namespace
}  // namespace nanotdb
