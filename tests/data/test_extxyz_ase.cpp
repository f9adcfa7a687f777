// Cross-check with ASE (3.22 on Debian 12, 3.24 on Debian 13): for every dataset file in
// shared/data, and for files written by eqt and by ASE, eqt must read exactly what ASE reads (see
// ase_compare.h for what is compared, ase_dump.py for how ASE versions are mapped to one form).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "ase_compare.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/extxyz_writer.h"
#include "support/reference.h"
#include "write_samples.h"

namespace eqt::data {
namespace {
namespace fs = std::filesystem;

std::vector<fs::path> dataset_files(const fs::path& data_dir) {
  std::vector<fs::path> files;
  for (const auto& dir : fs::directory_iterator(data_dir)) {
    if (!dir.is_directory()) continue;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      // Extended XYZ files only: a dataset folder may hold its README (e.g. oc20_synthetic/).
      const std::string name = entry.path().filename().string();
      const bool xyz = name.size() > 4 && (name.substr(name.size() - 4) == ".xyz" ||
                                           (name.size() > 7 && name.substr(name.size() - 7) == ".xyz.gz"));
      if (entry.is_regular_file() && xyz) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Compares ASE's dump of one file (OUT/<index>) with eqt's frames; reports the first few problems.
void expect_same_as_ase(const fs::path& prefix, const std::vector<Structure>& ours,
                        const std::string& label) {
  const auto dump = ase_compare::load_dump(prefix);
  const auto& frames = dump.meta["frames"];
  ASSERT_EQ(frames.size(), ours.size()) << label << ": frame counts differ";
  int reported = 0;
  for (std::size_t k = 0; k < ours.size() && reported < 5; ++k) {
    const auto problems = ase_compare::compare_frame(frames[k], dump, ours[k]);
    for (const auto& p : problems) {
      ADD_FAILURE() << label << " frame " << k << ": " << p;
      ++reported;
    }
  }
}

TEST(ExtxyzAse, EveryDatasetFileReadsAsAseReadsIt) {
  EQT_REQUIRE_SHARED(shared);
  const auto files = dataset_files(shared / "data");
  ASSERT_FALSE(files.empty()) << "no dataset files under " << shared / "data";
  const fs::path out = testing::temp_dir("extxyz_ase_datasets");
  std::vector<std::string> args{"read", out.string()};
  for (const auto& f : files) args.push_back(f.string());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(ase_compare::run_script(args), 0) << "ase_dump.py failed";
  const auto ase_done = std::chrono::steady_clock::now();
  double eqt_seconds = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const auto ours = read_extxyz(files[i]);
    eqt_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    expect_same_as_ase(out / std::to_string(i), ours, files[i].filename().string());
  }
  std::cout << "[ timing ] " << files.size() << " files: ASE read+dump "
            << std::chrono::duration<double>(ase_done - start).count() << " s, eqt read "
            << eqt_seconds << " s\n";
  fs::remove_all(out);
}

// Comment-line and column quirks, each read by both ASE and eqt.
const char* const kTricky =
    "2\n"
    "Properties=species:S:1:pos:R:3:Z:I:1:charge:R:1:fix:L:1 a = 1 b=\"x y\" c='p q' "
    "d={1 2} e=[u v] f=\"say \\\"hi\\\"\" g=x\"y z\"w bare h=\"1,2.5\" i=\"T F T\" "
    "j=1_000 k=+5 l=nan m=1e500 uid=007 n=\"_JSON [[1, 2], [3, 4]]\" "
    "o=\"_JSON {\\\"a\\\": [1, 2]}\" a=2 stress=\"1 2 3 4 5 6 7 8 9\" t=True "
    "u=\"false, TRUE\" v=tRUE x=\"_JSON \\\"False\\\"\" empty=\"\" after=3 w=\\\"q\n"
    "h 0 0 0 1 0.5 True\n"
    "CL 1.5 0 0 6 -0.5 F\n"
    "1\r\n"
    "Lattice=\"3 0 0 0 3 0 0 0 3\" pbc=\"T F T\" energy=-1 "
    "Properties=species:S:1:pos:R:3:forces:R:3 virial=\"1 0 0 0 2 0 0 0 3\"\r\n"
    "Si 0 0 0 1 2 3\r\n"
    "1\n"
    "Energy: -12.5 from some program, step 7\n"
    "O 0.1 0.2 0.3\n";

TEST(ExtxyzAse, TrickyCommentLinesReadAsAseReadsThem) {
  const fs::path out = testing::temp_dir("extxyz_ase_tricky");
  const fs::path file = out / "tricky.xyz";
  std::ofstream(file, std::ios::binary) << kTricky;
  ASSERT_EQ(ase_compare::run_script({"read", out.string(), file.string()}), 0);
  const auto ours = read_extxyz(file);
  ASSERT_EQ(ours.size(), 3u);
  EXPECT_EQ(std::get<std::string>(ours[0].info.at("empty")), "after=3");  // ASE's quirk
  EXPECT_EQ(std::get<std::string>(ours[0].info.at("f")), "say \"hi\"");
  EXPECT_EQ(std::get<std::string>(ours[0].info.at("w")), "\"q");
  // Booleans as ASE 3.23+ reads them (3.22: the strings); docs/data.md, "ASE versions".
  EXPECT_TRUE(std::get<at::Tensor>(ours[0].info.at("t")).equal(at::scalar_tensor(true, at::kBool)));
  EXPECT_TRUE(std::get<at::Tensor>(ours[0].info.at("u")).equal(at::tensor({0, 1}).to(at::kBool)));
  EXPECT_EQ(std::get<std::string>(ours[0].info.at("v")), "tRUE");      // not a boolean word
  EXPECT_EQ(std::get<std::string>(ours[0].info.at("x")), "False");     // JSON text stays text
  EXPECT_EQ(ours[0].numbers[1].item<int64_t>(), 6);  // Z overrides species CL
  expect_same_as_ase(out / "0", ours, file.filename().string());
  fs::remove_all(out);
}

TEST(ExtxyzAse, AseReadsWhatEqtWritesIdentically) {
  const fs::path out = testing::temp_dir("extxyz_ase_eqt_written");
  const auto samples = samples::all();
  const std::vector<std::string> names{"eqt_written.xyz", "eqt_written.xyz.gz"};
  for (const auto& name : names) write_extxyz(out / name, samples);
  ASSERT_EQ(ase_compare::run_script({"read", out.string(), (out / names[0]).string(),
                                     (out / names[1]).string()}),
            0);
  for (std::size_t i = 0; i < names.size(); ++i) {
    // ASE's reading is compared with the structures eqt was given, not with eqt's re-reading.
    expect_same_as_ase(out / std::to_string(i), samples, names[i]);
  }
  fs::remove_all(out);
}

TEST(ExtxyzAse, EqtReadsWhatAseWrites) {
  const fs::path out = testing::temp_dir("extxyz_ase_ase_written");
  const fs::path file = out / "ase_written.xyz";
  ASSERT_EQ(ase_compare::run_script({"write-samples", file.string()}), 0);
  ASSERT_EQ(ase_compare::run_script({"read", out.string(), file.string()}), 0);
  const auto ours = read_extxyz(file);
  EXPECT_EQ(ours.size(), 3u);
  expect_same_as_ase(out / "0", ours, file.filename().string());
  fs::remove_all(out);
}

}  // namespace
}  // namespace eqt::data
