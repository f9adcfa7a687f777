// Label getters: energy / forces / stress under configurable keys, stress from Voigt or virial.
#include <gtest/gtest.h>

#include "eqt/core/error.h"
#include "eqt/data/extxyz_reader.h"
#include "eqt/data/labels.h"

namespace eqt::data {
namespace {

Structure read_one(const std::string& text) { return read_extxyz_text(text, "labels.xyz").at(0); }

const char* const kCell = "Lattice=\"2 0 0 0 4 0 0 0 5\" ";  // volume 40

TEST(Labels, DefaultKeys) {
  const Structure s = read_one(std::string("1\n") + kCell +
                               "Properties=species:S:1:pos:R:3:forces:R:3 energy=-2.5 "
                               "free_energy=-2.75 stress=\"1 6 5 6 2 4 5 4 3\"\nH 0 0 0 1 2 3\n");
  EXPECT_EQ(*energy_label(s), -2.5);
  EXPECT_EQ(*free_energy_label(s), -2.75);
  const at::Tensor expected_forces = at::tensor({1.0, 2.0, 3.0}, at::kDouble).reshape({1, 3});
  EXPECT_TRUE(at::equal(*forces_label(s), expected_forces));
  const at::Tensor stress = *stress_label(s);
  EXPECT_EQ(stress.scalar_type(), at::kDouble);  // ints in the file, float64 label
  EXPECT_TRUE(at::equal(voigt_from_stress(stress),
                        at::tensor({1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, at::kDouble)));
}

TEST(Labels, CustomKeysAndAbsentLabels) {
  const Structure s = read_one(
      "1\nProperties=species:S:1:pos:R:3:dft_forces:R:3 dft_energy=1.25\nH 0 0 0 1 2 3\n");
  EXPECT_FALSE(energy_label(s).has_value());
  EXPECT_FALSE(forces_label(s).has_value());
  EXPECT_FALSE(stress_label(s).has_value());
  LabelKeys keys;
  keys.energy = "dft_energy";
  keys.forces = "dft_forces";
  EXPECT_EQ(*energy_label(s, keys), 1.25);
  EXPECT_EQ((*forces_label(s, keys))[0][2].item<double>(), 3.0);
}

TEST(Labels, VoigtStress) {
  const Structure s = read_one(std::string("1\n") + kCell + "stress=\"1 2 3 4 5 6\"\nH 0 0 0\n");
  const at::Tensor m = *stress_label(s);
  EXPECT_EQ(m[1][2].item<double>(), 4.0);
  EXPECT_EQ(m[2][1].item<double>(), 4.0);
  EXPECT_EQ(m[0][2].item<double>(), 5.0);
  EXPECT_EQ(m[0][1].item<double>(), 6.0);
}

TEST(Labels, StressFromVirialIsMinusVirialOverVolume) {
  const Structure s =
      read_one(std::string("1\n") + kCell + "virial=\"40 0 0 0 80 0 0 0 -20\"\nH 0 0 0\n");
  const at::Tensor m = *stress_label(s);
  EXPECT_EQ(m[0][0].item<double>(), -1.0);
  EXPECT_EQ(m[1][1].item<double>(), -2.0);
  EXPECT_EQ(m[2][2].item<double>(), 0.5);
  const Structure no_cell = read_one("1\nvirial=\"1 0 0 0 1 0 0 0 1\"\nH 0 0 0\n");
  EXPECT_THROW(stress_label(no_cell), Error);
}

TEST(Labels, MalformedLabelsFail) {
  EXPECT_THROW(energy_label(read_one("1\nenergy=abc\nH 0 0 0\n")), Error);
  EXPECT_THROW(energy_label(read_one("1\nenergy=\"1 2\"\nH 0 0 0\n")), Error);
  EXPECT_THROW(energy_label(read_one("1\nenergy=nan\nH 0 0 0\n")), Error);
  EXPECT_THROW(stress_label(read_one("1\nstress=\"_JSON [1, 2]\"\nH 0 0 0\n")), Error);
  const Structure wide = read_one("1\nProperties=species:S:1:pos:R:3:f:R:2\nH 0 0 0 1 2\n");
  LabelKeys keys;
  keys.forces = "f";
  try {
    forces_label(wide, keys);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("[1, 3]"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace eqt::data
