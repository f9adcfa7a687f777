#pragma once
// Runs tests/data/ase_dump.py (ASE 3.22 or 3.23+ under EQT_TEST_PYTHON) and compares what ASE
// read with an eqt Structure: numbers, positions, cell, pbc, info (keys, order, types, values),
// per-atom arrays, and ASE's calculator results (energy, free_energy, forces, Voigt stress)
// against eqt's label getters. Floats must match bit for bit (NaN equals NaN).
#include <ATen/ATen.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "eqt/data/labels.h"
#include "eqt/data/structure.h"
#include "support/reference.h"

namespace eqt::data::ase_compare {
namespace fs = std::filesystem;
using nlohmann::json;

inline fs::path script() { return testing::source_dir() / "tests/data/ase_dump.py"; }

inline std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// Runs ase_dump.py with the arguments; returns its exit status (0 on success).
inline int run_script(const std::vector<std::string>& args) {
  std::string command = shell_quote(EQT_TEST_PYTHON) + " " + shell_quote(script().string());
  for (const auto& a : args) command += " " + shell_quote(a);
  return std::system(command.c_str());
}

// One file as ASE read it.
struct AseDump {
  json meta;
  std::string blob;

  at::Tensor tensor(const json& ref) const {
    const auto shape = ref["shape"].get<std::vector<int64_t>>();
    const std::string dtype = ref["dtype"];
    const auto type = dtype == "f8" ? at::kDouble : dtype == "i8" ? at::kLong : at::kBool;
    at::Tensor t = at::empty(shape, type);
    const std::size_t bytes = t.numel() * t.element_size();
    std::memcpy(t.data_ptr(), blob.data() + ref["off"].get<std::size_t>(), bytes);
    return t;
  }
};

inline AseDump load_dump(const fs::path& prefix) {
  AseDump dump;
  dump.meta = testing::load_json(prefix.string() + ".json");
  std::ifstream in(prefix.string() + ".bin", std::ios::binary);
  dump.blob.assign(std::istreambuf_iterator<char>(in), {});
  return dump;
}

inline bool same_tensor(const at::Tensor& a, const at::Tensor& b) {
  if (!a.defined() || !b.defined()) return false;
  if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
  if (a.numel() == 0) return true;
  if (!a.is_floating_point()) return at::equal(a, b);
  return ((a == b) | (at::isnan(a) & at::isnan(b))).all().item<bool>();
}

inline double parse_repr(const json& v) {
  return std::strtod(v.get<std::string>().c_str(), nullptr);
}

// ASE's info value (encoded by ase_dump.py) as a tensor.
inline at::Tensor info_tensor(const json& v) {
  const auto shape = v["shape"].get<std::vector<int64_t>>();
  const std::string type = v["type"];
  std::vector<double> values;
  for (const auto& x : v["data"]) {
    values.push_back(type == "f8" ? parse_repr(x) : type == "b1" ? x.get<bool>() : x.get<double>());
  }
  if (type == "i8") {
    std::vector<int64_t> ints;
    for (const auto& x : v["data"]) ints.push_back(x.get<int64_t>());
    return at::tensor(ints, at::kLong).reshape(shape);
  }
  at::Tensor t = at::tensor(values, at::kDouble).reshape(shape);
  return type == "b1" ? t.to(at::kBool) : t;
}

inline std::string describe(const InfoValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return "'" + *s + "'";
  std::ostringstream out;
  out << std::get<at::Tensor>(v);
  return out.str();
}

// ASE before 3.23 reads only T and F as booleans; eqt, like ASE 3.23+, also True/False/true/
// false/TRUE/FALSE (docs/data.md, "ASE versions"). ase_dump.py cannot tell whether 3.22's string
// came from such a bare word or from `_JSON "True"` (a string in both versions), so with
// ASE < 3.23 a string that 3.23+ reads as booleans may be held by eqt as that string or as exactly
// 3.23+'s booleans (tests pin eqt's reading separately); with ASE 3.23+ the comparison is exact.
inline bool ase_before_323(const json& meta) {
  int major = 0, minor = 0;
  std::sscanf(meta.value("ase_version", std::string("0.0")).c_str(), "%d.%d", &major, &minor);
  return major < 3 || (major == 3 && minor < 23);
}

inline std::optional<at::Tensor> booleans_323(const std::string& text) {
  static const std::regex word("[^\\s,]+");
  std::vector<double> flags;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), word); it != std::sregex_iterator();
       ++it) {
    const std::string w = it->str();
    if (w == "T" || w == "True" || w == "true" || w == "TRUE") flags.push_back(1);
    else if (w == "F" || w == "False" || w == "false" || w == "FALSE") flags.push_back(0);
    else return std::nullopt;
  }
  if (flags.empty()) return std::nullopt;
  at::Tensor t = at::tensor(flags, at::kDouble).to(at::kBool);
  return flags.size() == 1 ? t.reshape({}) : t;
}

inline void compare_info(const json& ase, const InfoValue& ours, const std::string& key,
                         bool before_323, std::vector<std::string>& problems) {
  const std::string type = ase["type"];
  bool same = false;
  if (type == "str") {
    const std::string value = ase["value"];
    const auto* text = std::get_if<std::string>(&ours);
    const auto* flags = std::get_if<at::Tensor>(&ours);
    const auto as_323 = before_323 ? booleans_323(value) : std::nullopt;
    same = (text != nullptr && *text == value) ||
           (flags != nullptr && as_323 && same_tensor(*flags, *as_323));
  } else if (type == "object") {
    const auto* text = std::get_if<std::string>(&ours);  // eqt keeps JSON objects as text
    same = text != nullptr && text->rfind("_JSON ", 0) == 0 &&
           json::parse(text->substr(6)) == json::parse(ase["json"].get<std::string>());
  } else if (const auto* t = std::get_if<at::Tensor>(&ours)) {
    same = same_tensor(*t, info_tensor(ase));
  }
  if (!same) {
    problems.push_back(fmt::format("info '{}': ASE {} vs eqt {}", key, ase.dump(), describe(ours)));
  }
}

// eqt keeps per-atom columns under their names in the file; ASE renames charge.
inline std::string ase_array_name(const std::string& name) {
  return name == "charge" ? "initial_charges" : name;
}

inline void compare_arrays(const json& frame, const AseDump& dump, const Structure& s,
                           std::vector<std::string>& problems) {
  std::set<std::string> ase_names, our_names;
  for (const auto& [name, ref] : frame["arrays"].items()) ase_names.insert(name);
  for (const auto& [name, ref] : frame["string_arrays"].items()) ase_names.insert(name);
  for (const auto& [name, value] : s.arrays) {
    our_names.insert(ase_array_name(name));
    const auto& ref = frame["arrays"].value(ase_array_name(name), json());
    if (ref.is_null() || !same_tensor(value, dump.tensor(ref))) {
      problems.push_back(fmt::format("array '{}' differs", name));
    }
  }
  for (const auto& [name, texts] : s.string_arrays) {
    our_names.insert(name);
    const auto& ref = frame["string_arrays"].value(name, json());
    if (ref.is_null() || ref.get<std::vector<std::string>>() != texts) {
      problems.push_back(fmt::format("string array '{}' differs", name));
    }
  }
  if (ase_names != our_names) {
    problems.push_back(fmt::format("array names: ASE {} vs eqt {}", fmt::join(ase_names, ","),
                                   fmt::join(our_names, ",")));
  }
}

inline void compare_calculator(const json& calc, const AseDump& dump, const Structure& s,
                               std::vector<std::string>& problems) {
  const auto check = [&](bool ok, const char* what) {
    if (!ok) problems.push_back(fmt::format("calculator {} differs", what));
  };
  for (const auto& [key, value] : calc.items()) {
    if (key == "energy") check(energy_label(s) == parse_repr(value), "energy");
    else if (key == "free_energy") check(free_energy_label(s) == parse_repr(value), "free_energy");
    else if (key == "forces") check(same_tensor(*forces_label(s), dump.tensor(value)), "forces");
    else if (key == "stress") {
      check(same_tensor(voigt_from_stress(*stress_label(s)), dump.tensor(value)), "stress");
    } else problems.push_back("calculator result '" + key + "' is not checked");
  }
  check(energy_label(s).has_value() == calc.contains("energy"), "energy presence");
  // ASE leaves a virial in info; eqt's stress label also derives the stress from it.
  const bool virial_only = !calc.contains("stress") && s.has_info("virial");
  check(stress_label(s).has_value() == calc.contains("stress") || virial_only, "stress presence");
}

// Every difference between ASE's frame and eqt's structure, as readable lines.
inline std::vector<std::string> compare_frame(const json& frame, const AseDump& dump,
                                              const Structure& s) {
  std::vector<std::string> problems;
  const bool before_323 = ase_before_323(dump.meta);
  const auto check = [&](bool ok, const char* what) {
    if (!ok) problems.push_back(fmt::format("{} differ", what));
  };
  check(same_tensor(s.numbers, dump.tensor(frame["numbers"])), "numbers");
  check(same_tensor(s.positions, dump.tensor(frame["positions"])), "positions");
  check(same_tensor(s.cell, dump.tensor(frame["cell"])), "cells");
  check(frame["pbc"].get<std::vector<bool>>() == std::vector<bool>(s.pbc.begin(), s.pbc.end()),
        "pbc");
  check(frame["info_order"].get<std::vector<std::string>>() == s.info_order, "info key orders");
  for (const auto& [key, value] : frame["info"].items()) {
    if (!s.info.count(key)) problems.push_back("eqt lacks info '" + key + "'");
    else compare_info(value, s.info.at(key), key, before_323, problems);
  }
  check(frame["info"].size() == s.info.size(), "info key counts");
  compare_arrays(frame, dump, s, problems);
  compare_calculator(frame["calc"], dump, s, problems);
  return problems;
}

}  // namespace eqt::data::ase_compare
