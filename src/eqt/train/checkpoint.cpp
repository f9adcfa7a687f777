#include "eqt/train/checkpoint.h"

#include <fstream>
#include <sstream>

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "eqt/core/error.h"
#include "eqt/models/potential.h"
#include "eqt/data/output_file.h"

namespace eqt::train {

namespace fs = std::filesystem;

namespace {

fs::path file_in(const fs::path& dir) { return dir / kCheckpointFile; }

// Tensors come back on `device` whatever device wrote them: checkpoints move between CPU and GPU.
void load_archive(const fs::path& dir, torch::serialize::InputArchive& archive,
                  c10::Device device = c10::Device(c10::kCPU)) {
  const fs::path path = file_in(dir);
  if (!fs::exists(path)) fail("{}: no checkpoint (expected {})", dir.string(), path.string());
  try {
    archive.load_from(path.string(), device);
  } catch (const c10::Error& e) {
    fail("{}: cannot read the checkpoint: {}", path.string(), e.what_without_backtrace());
  }
}

TrainingState state_of(torch::serialize::InputArchive& archive, const fs::path& dir) {
  c10::IValue text;
  if (!archive.try_read("state", text) || !text.isString()) fail("{}: checkpoint has no state", dir.string());
  try {
    return training_state_from_json(nlohmann::json::parse(text.toStringRef()));
  } catch (const nlohmann::json::exception& e) {
    fail("{}: corrupt checkpoint state: {}", dir.string(), e.what());
  }
}

}  // namespace

nlohmann::json to_json(const TrainingState& s) {
  return {{"epoch", s.epoch},
          {"batch_in_epoch", s.batch_in_epoch},
          {"step", s.step},
          {"best_metric", s.best_metric},
          {"have_best", s.have_best},
          {"best_epoch", s.best_epoch},
          {"validations_without_improvement", s.validations_without_improvement},
          {"skipped_in_a_row", s.skipped_in_a_row},
          {"schedule", s.schedule},
          {"extra", s.extra}};
}

TrainingState training_state_from_json(const nlohmann::json& j) {
  TrainingState s;
  s.epoch = j.at("epoch").get<int64_t>();
  s.batch_in_epoch = j.at("batch_in_epoch").get<int64_t>();
  s.step = j.at("step").get<int64_t>();
  s.best_metric = j.at("best_metric").get<double>();
  s.have_best = j.at("have_best").get<bool>();
  s.best_epoch = j.at("best_epoch").get<int64_t>();
  s.validations_without_improvement = j.at("validations_without_improvement").get<int64_t>();
  s.skipped_in_a_row = j.value("skipped_in_a_row", int64_t{0});  // absent in checkpoints written before it was kept
  s.schedule = j.at("schedule");
  s.extra = j.at("extra");
  return s;
}

void write_checkpoint(const fs::path& dir, models::Model& model, models::Model& ema,
                      torch::optim::Optimizer& optimiser, const TrainingState& state) {
  torch::serialize::OutputArchive archive, model_part, ema_part, optimiser_part;
  model.save(model_part);
  ema.save(ema_part);
  optimiser.save(optimiser_part);
  archive.write("model", model_part);
  archive.write("ema", ema_part);
  archive.write("optimiser", optimiser_part);
  archive.write("state", c10::IValue(to_json(state).dump()));
  std::ostringstream bytes;
  archive.save_to(bytes);
  fs::create_directories(dir);
  data::AtomicOutputFile out(file_in(dir), false);
  out.write(bytes.str());
  out.commit();
}

TrainingState read_checkpoint_state(const fs::path& dir) {
  torch::serialize::InputArchive archive;
  load_archive(dir, archive);
  return state_of(archive, dir);
}

TrainingState read_checkpoint(const fs::path& dir, models::Model& model, models::Model& ema,
                              torch::optim::Optimizer& optimiser) {
  torch::serialize::InputArchive archive, model_part, ema_part, optimiser_part;
  load_archive(dir, archive, models::model_device(model));
  try {
    archive.read("model", model_part);
    archive.read("ema", ema_part);
    archive.read("optimiser", optimiser_part);
    model.load(model_part);
    ema.load(ema_part);
    optimiser.load(optimiser_part);
  } catch (const c10::Error& e) {
    fail("{}: checkpoint does not fit this model / optimiser: {}", dir.string(), e.what_without_backtrace());
  }
  return state_of(archive, dir);
}

std::vector<std::pair<std::string, at::Tensor>> checkpoint_weights(const fs::path& dir, models::Model& skeleton,
                                                                   const std::string& part) {
  torch::serialize::InputArchive archive, sub;
  load_archive(dir, archive);
  archive.read(part, sub);
  skeleton.load(sub);
  std::vector<std::pair<std::string, at::Tensor>> out;
  for (const auto& item : skeleton.named_parameters()) out.emplace_back(item.key(), item.value().detach().clone());
  return out;
}

}  // namespace eqt::train
