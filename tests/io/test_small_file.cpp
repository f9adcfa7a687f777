// io::read_small_file and the JSON reader's size limit: a file over the limit is refused naming
// the file and the limit, one at the limit reads whole.
#include <gtest/gtest.h>

#include <fstream>

#include "eqt/core/error.h"
#include "eqt/io/file_digest.h"
#include "eqt/io/json_file.h"
#include "support/reference.h"

namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(SmallFile, ReadsAFileAtTheLimitAndRefusesOneByteMore) {
  const auto dir = eqt::testing::temp_dir("io_small_file");
  const std::string text(100000, 'a');  // more than one 64 KiB chunk
  write_text(dir / "at_limit.txt", text);
  EXPECT_EQ(eqt::io::read_small_file(dir / "at_limit.txt", text.size()), text);
  try {
    eqt::io::read_small_file(dir / "at_limit.txt", text.size() - 1);
    FAIL() << "a file over the limit was read";
  } catch (const eqt::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("at_limit.txt"), std::string::npos) << message;
    EXPECT_NE(message.find("larger than 99999 bytes"), std::string::npos) << message;
  }
  EXPECT_THROW(eqt::io::read_small_file(dir / "missing.txt", 10), eqt::Error);
}

TEST(SmallFile, JsonFilesOverTheLimitAreRefusedBeforeParsing) {
  const auto dir = eqt::testing::temp_dir("io_small_json");
  // kMaxJsonFileBytes + 1 bytes of valid JSON (a string), written sparsely: no 64 MiB in memory.
  const auto path = dir / "model.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << '"';
    out.seekp(static_cast<std::streamoff>(eqt::io::kMaxJsonFileBytes));
    out << '"';
  }
  try {
    eqt::io::read_json_file(path);
    FAIL() << "an oversized JSON file was read";
  } catch (const eqt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.json: larger than 67108864 bytes"), std::string::npos) << e.what();
  }
  write_text(dir / "small.json", R"({"kind": "pet"})");
  EXPECT_EQ(eqt::io::read_json_file(dir / "small.json").at("kind"), "pet");
}

}  // namespace
