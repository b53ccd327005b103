#include "storage/catalog.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "storage/fault_env.h"

namespace nanotdb {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/nanotdb-catalog-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/catalog.json";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void WriteFile(const std::string& text) {
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), path_, text).ok());
  }
  // Loads a catalog file whose "metrics" array is `metrics` and returns the status.
  Status LoadMetrics(const std::string& metrics) {
    WriteFile("{\"format\": \"nanotdb-catalog\", \"version\": 1, \"metrics\": [" + metrics + "]}");
    return Catalog::Load(Env::Default(), path_).status();
  }

  std::string dir_;
  std::string path_;
};

TEST_F(CatalogTest, MissingFileIsAnEmptyCatalog) {
  auto c = Catalog::Load(Env::Default(), path_);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->size(), 0u);
  EXPECT_FALSE(c->dirty());
}

TEST_F(CatalogTest, AddAssignsSequentialIdsAndMarksDirty) {
  Catalog c;
  auto a = c.Add("room.temp", ValueType::kFloat64);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((*a)->id, 1u);
  EXPECT_TRUE(c.dirty());
  auto b = c.Add("door.opened", ValueType::kInt64);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->id, 2u);
  EXPECT_EQ(c.Find("door.opened")->type, ValueType::kInt64);
  EXPECT_EQ(c.FindById(1)->name, "room.temp");
  EXPECT_EQ(c.Find("nope"), nullptr);
  EXPECT_EQ(c.FindById(3), nullptr);
  EXPECT_EQ(c.FindById(0), nullptr);
  auto again = c.Add("room.temp", ValueType::kInt64);
  EXPECT_EQ(again.status().code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(c.size(), 2u);
}

TEST_F(CatalogTest, RollBackForgetsTheNewestAddsAndReusesTheirIds) {
  Catalog c;
  ASSERT_TRUE(c.Add("kept", ValueType::kInt64).ok());
  size_t before = c.size();
  ASSERT_TRUE(c.Add("undone.1", ValueType::kInt64).ok());
  ASSERT_TRUE(c.Add("undone.2", ValueType::kFloat64).ok());
  c.RollBackTo(before);
  EXPECT_EQ(c.size(), 1u);
  EXPECT_EQ(c.Find("undone.1"), nullptr);
  EXPECT_EQ(c.FindById(3), nullptr);
  auto again = c.Add("undone.2", ValueType::kInt64);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->id, 2u);
  c.RollBackTo(5);
  EXPECT_EQ(c.size(), 2u);
}

TEST_F(CatalogTest, AddRefusesNamesJsonCannotHold) {
  Catalog c;
  EXPECT_TRUE(c.Add("", ValueType::kInt64).status().IsInvalidArgument());
  EXPECT_TRUE(c.Add(std::string(4097, 'a'), ValueType::kInt64).status().IsInvalidArgument());
  EXPECT_TRUE(c.Add("bad\xff", ValueType::kInt64).status().IsInvalidArgument());
  EXPECT_TRUE(c.Add("half\xc3", ValueType::kInt64).status().IsInvalidArgument());
  EXPECT_TRUE(c.Add("temp.°C", ValueType::kFloat64).ok());
  EXPECT_TRUE(c.Add(std::string(4096, 'a'), ValueType::kInt64).ok());
}

TEST_F(CatalogTest, SaveAndLoadRoundTrip) {
  Catalog c;
  ASSERT_TRUE(c.Add("zeta", ValueType::kFloat64).ok());
  ASSERT_TRUE(c.Add("alpha", ValueType::kInt64).ok());
  ASSERT_TRUE(c.Add("quote\"back\\slash\ttab", ValueType::kInt64).ok());
  ASSERT_TRUE(c.Add("température.°C", ValueType::kFloat64).ok());
  ASSERT_TRUE(c.Save(Env::Default(), path_).ok());
  EXPECT_FALSE(c.dirty());

  auto loaded = Catalog::Load(Env::Default(), path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->entries(), c.entries());
  EXPECT_FALSE(loaded->dirty());
  auto next = loaded->Add("new", ValueType::kInt64);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)->id, 5u);
}

TEST_F(CatalogTest, FileIsReadableJsonSortedByName) {
  Catalog c;
  ASSERT_TRUE(c.Add("room.temp", ValueType::kFloat64).ok());
  ASSERT_TRUE(c.Add("room.humidity", ValueType::kFloat64).ok());
  ASSERT_TRUE(c.Add("door", ValueType::kInt64).ok());
  ASSERT_TRUE(c.Save(Env::Default(), path_).ok());
  std::string text;
  ASSERT_TRUE(Env::Default()->ReadFileToString(path_, &text).ok());
  EXPECT_EQ(text,
            "{\n"
            "  \"format\": \"nanotdb-catalog\",\n"
            "  \"version\": 1,\n"
            "  \"metrics\": [\n"
            "    {\"name\": \"door\", \"id\": 3, \"type\": \"int64\"},\n"
            "    {\"name\": \"room.humidity\", \"id\": 2, \"type\": \"float64\"},\n"
            "    {\"name\": \"room.temp\", \"id\": 1, \"type\": \"float64\"}\n"
            "  ]\n"
            "}\n");
  EXPECT_EQ(Catalog().Render(),
            "{\n  \"format\": \"nanotdb-catalog\",\n  \"version\": 1,\n  \"metrics\": []\n}\n");
}

TEST_F(CatalogTest, GapsInIdsSurviveAndNextIdFollowsTheLargest) {
  ASSERT_TRUE(LoadMetrics("{\"name\": \"a\", \"id\": 2, \"type\": \"int32\"},"
                          "{\"name\": \"b\", \"id\": 7, \"type\": \"float32\"}")
                  .ok());
  auto c = Catalog::Load(Env::Default(), path_);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->FindById(7)->name, "b");
  EXPECT_EQ(c->FindById(2)->name, "a");
  EXPECT_EQ(c->FindById(1), nullptr);
  EXPECT_EQ((*c->Add("c", ValueType::kInt64))->id, 8u);
}

struct BadCatalog {
  const char* metrics;
  const char* expected;  // part of the message
};

TEST_F(CatalogTest, EveryValidationErrorIsCorruptionNamingTheEntry) {
  const BadCatalog cases[] = {
      {R"({"name": "", "id": 1, "type": "int32"})", "metric #1 has an empty or missing name"},
      {R"({"id": 1, "type": "int32"})", "metric #1 has an empty or missing name"},
      {R"({"name": "a", "id": 0, "type": "int32"})", "metric #1 (\"a\"): id 0 is out of range"},
      {R"({"name": "a", "id": -4, "type": "int32"})", "id -4 is out of range"},
      {R"({"name": "a", "id": 1048576, "type": "int32"})", "id 1048576 is out of range"},
      {R"({"name": "a", "id": "1", "type": "int32"})", "(\"a\"): id must be an integer"},
      {R"({"name": "a", "id": 1.5, "type": "int32"})", "id must be an integer"},
      {R"({"name": "a", "id": 1, "type": "double"})", "type double is unknown"},
      {R"({"name": "a", "id": 1, "type": 2})", "type 2 is unknown"},
      {R"({"name": "a", "id": 1})", "type <missing> is unknown"},
      {R"({"name": "a", "id": 1, "type": "int32"}, {"name": "a", "id": 2, "type": "int32"})",
       "metric #2 (\"a\"): duplicate name (ids 1 and 2)"},
      {R"({"name": "a", "id": 1, "type": "int32"}, {"name": "b", "id": 1, "type": "int32"})",
       "metric #2 (\"b\"): duplicate id 1 (also \"a\")"},
      {R"(7)", "metric #1 is not an object"},
  };
  for (const BadCatalog& bad : cases) {
    Status s = LoadMetrics(bad.metrics);
    ASSERT_TRUE(s.IsCorruption()) << bad.metrics << " -> " << s.ToString();
    EXPECT_NE(s.message().find(path_), std::string::npos) << s.message();
    EXPECT_NE(s.message().find(bad.expected), std::string::npos)
        << bad.metrics << " -> " << s.message();
  }
}

TEST_F(CatalogTest, WrongFileShapesAreCorruption) {
  const BadCatalog cases[] = {
      {"", "not valid JSON"},
      {"{\"format\": \"nanotdb-catalog\", \"version\": 1, \"metrics\": [", "not valid JSON"},
      {"[1, 2]", "not a JSON object"},
      {"{\"metrics\": []}", "not a NanoTDB catalog"},
      {"{\"format\": \"other\", \"version\": 1, \"metrics\": []}", "not a NanoTDB catalog"},
      {"{\"format\": \"nanotdb-catalog\", \"version\": 2, \"metrics\": []}",
       "catalog version 2 is not supported"},
      {"{\"format\": \"nanotdb-catalog\", \"metrics\": []}", "catalog version <missing>"},
      {"{\"format\": \"nanotdb-catalog\", \"version\": 1}", "\"metrics\" must be an array"},
      {"{\"format\": \"nanotdb-catalog\", \"version\": 1, \"metrics\": {}}",
       "\"metrics\" must be an array"},
  };
  for (const BadCatalog& bad : cases) {
    WriteFile(bad.metrics);
    Status s = Catalog::Load(Env::Default(), path_).status();
    ASSERT_TRUE(s.IsCorruption()) << bad.metrics << " -> " << s.ToString();
    EXPECT_NE(s.message().find(bad.expected), std::string::npos)
        << bad.metrics << " -> " << s.message();
  }
}

TEST_F(CatalogTest, RestoreAddsWalDefinitionsAndChecksAgreement) {
  Catalog c;
  ASSERT_TRUE(c.Add("a", ValueType::kInt64).ok());
  EXPECT_TRUE(c.Restore({1, ValueType::kInt64, "a"}).ok());
  ASSERT_TRUE(c.Save(Env::Default(), path_).ok());
  EXPECT_TRUE(c.Restore({1, ValueType::kInt64, "a"}).ok());
  EXPECT_FALSE(c.dirty());  // nothing new

  ASSERT_TRUE(c.Restore({3, ValueType::kFloat64, "c"}).ok());
  ASSERT_TRUE(c.Restore({2, ValueType::kInt64, "b"}).ok());
  EXPECT_TRUE(c.dirty());
  EXPECT_EQ(c.entries(), (std::vector<CatalogEntry>{{"a", 1, ValueType::kInt64},
                                                    {"b", 2, ValueType::kInt64},
                                                    {"c", 3, ValueType::kFloat64}}));
  EXPECT_EQ(c.Find("b")->id, 2u);
  EXPECT_EQ(c.Find("c")->id, 3u);

  Status s = c.Restore({1, ValueType::kInt64, "x"});
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("id 1 as \"a\""), std::string::npos) << s.message();
  s = c.Restore({1, ValueType::kFloat64, "a"});
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("(float64)"), std::string::npos) << s.message();
  s = c.Restore({9, ValueType::kInt64, "a"});
  ASSERT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("\"a\" as id 1"), std::string::npos) << s.message();
  EXPECT_EQ(c.size(), 3u);
}

TEST_F(CatalogTest, FailedSaveKeepsTheOldFileAndStaysDirty) {
  Catalog c;
  ASSERT_TRUE(c.Add("a", ValueType::kInt64).ok());
  ASSERT_TRUE(c.Save(Env::Default(), path_).ok());
  ASSERT_TRUE(c.Add("b", ValueType::kInt64).ok());
  FaultInjectionEnv env(Env::Default());
  env.SetSyncFailure(true);
  EXPECT_FALSE(c.Save(&env, path_).ok());
  EXPECT_TRUE(c.dirty());
  auto loaded = Catalog::Load(Env::Default(), path_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->size(), 1u);
}

// A catalog of an older build (4-byte types) opens with every metric upgraded to its 64-bit
// type, and the next save writes the upgraded types back.
TEST_F(CatalogTest, FourByteTypesOfAnOlderBuildLoadAsTheir64BitTypes) {
  ASSERT_TRUE(LoadMetrics("{\"name\": \"a\", \"id\": 1, \"type\": \"int32\"},"
                          "{\"name\": \"b\", \"id\": 2, \"type\": \"float32\"},"
                          "{\"name\": \"c\", \"id\": 3, \"type\": \"int64\"},"
                          "{\"name\": \"d\", \"id\": 4, \"type\": \"float64\"}")
                  .ok());
  auto c = Catalog::Load(Env::Default(), path_);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->entries(), (std::vector<CatalogEntry>{{"a", 1, ValueType::kInt64},
                                                     {"b", 2, ValueType::kFloat64},
                                                     {"c", 3, ValueType::kInt64},
                                                     {"d", 4, ValueType::kFloat64}}));
  EXPECT_TRUE(c->dirty());
  // An older WAL's definitions (int32 / float32) match the upgraded entries.
  EXPECT_TRUE(c->Restore({1, ValueType::kInt32, "a"}).ok());
  EXPECT_TRUE(c->Restore({2, ValueType::kFloat32, "b"}).ok());
  EXPECT_TRUE(c->Restore({2, ValueType::kInt32, "b"}).IsCorruption());
  ASSERT_TRUE(c->Save(Env::Default(), path_).ok());
  std::string text;
  ASSERT_TRUE(Env::Default()->ReadFileToString(path_, &text).ok());
  EXPECT_EQ(text.find("int32"), std::string::npos) << text;
  EXPECT_EQ(text.find("float32"), std::string::npos) << text;
  auto again = Catalog::Load(Env::Default(), path_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->dirty());
  EXPECT_EQ(again->entries(), c->entries());
}

}  // namespace
}  // namespace nanotdb
