// Data-parallel `eqt train` (src/eqt/train/data_parallel.h) on two ranks over loopback, launched
// by mpirun and by the torchrun variables: N ranks with batch B train to the weights of one rank
// with batch N x B, a run resumes on another number of ranks, and ranks that disagree or die
// stop the others with an error instead of hanging.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "support/reference.h"
#include "support/run_command.h"
#include "train_fixtures.h"

namespace eqt::testing {
namespace {

namespace fs = std::filesystem;

// A port of its own for each launch (ctest runs tests in parallel): one the kernel hands out for
// an ephemeral bind, free again once the socket is closed.
int fresh_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error("no free port for the rendezvous");
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string train_command(const Data& d, const fs::path& run, int batch, const std::string& extra = "") {
  return eqt_command() + "train " + quoted(d.config) + " --run-dir " + quoted(run) +
         " --quiet --set data.batch_size=" + std::to_string(batch) + " --set training.epochs=3" + extra;
}

std::string mpirun(int ranks, int port) {
  return "MASTER_PORT=" + std::to_string(port) + " mpirun -np " + std::to_string(ranks) +
         " --allow-run-as-root --oversubscribe -x MASTER_PORT -x EQT_DISTRIBUTED_TIMEOUT ";
}

// Two processes with the torchrun variables; `per_rank[r]` is appended to rank r's command.
std::string torchrun_pair(const std::string& command, int port, const std::string& extra0 = "",
                          const std::string& extra1 = "") {
  const std::string env = "WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port);
  return "(RANK=0 LOCAL_RANK=0 " + env + " " + command + extra0 + " > rank0.log 2>&1 & RANK=1 LOCAL_RANK=1 " + env +
         " " + command + extra1 + " > rank1.log 2>&1; s1=$?; wait $!; s0=$?; cat rank0.log rank1.log; " +
         "echo exit $s0 $s1; [ $s0 -eq 0 ] && [ $s1 -eq 0 ])";
}

void expect_close_weights(const fs::path& a, const fs::path& b, double tolerance) {
  for (const char* part : {"model", "ema"}) {
    const auto wa = final_weights(a, part), wb = final_weights(b, part);
    ASSERT_EQ(wa.size(), wb.size());
    double worst = 0.0, moved = 0.0;
    for (std::size_t i = 0; i < wa.size(); ++i) {
      const double scale = std::max(wa[i].second.abs().max().item<double>(), 1e-300);
      worst = std::max(worst, (wa[i].second - wb[i].second).abs().max().item<double>() / scale);
      moved += wa[i].second.abs().sum().item<double>();
    }
    EXPECT_LT(worst, tolerance) << part;
    EXPECT_GT(moved, 0.0) << part << ": all weights are zero";
  }
}

class CliTrainDistributed : public ::testing::Test {
 protected:
  void SetUp() override {
    if (run_command("command -v mpirun").exit_code != 0) {
      EQT_SKIP_OR_FAIL() << "mpirun not found (Debian: openmpi-bin)";
    }
    setenv("EQT_DISTRIBUTED_TIMEOUT", "20", 1);
  }
};

// 21 structures: global batches of 8, 8 and 5 (the last one split 2 + 3 over the ranks).
TEST_F(CliTrainDistributed, TwoRanksTrainToTheWeightsOfOneRankWithTheGlobalBatch) {
  const fs::path dir = temp_dir("cli_train_ddp");
  const Data d = make_data(dir, 21, "");
  const auto one = run_command(train_command(d, dir / "one", 8));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run_command(mpirun(2, fresh_port()) + train_command(d, dir / "two", 4));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  expect_close_weights(dir / "one", dir / "two", 1e-10);
  std::ifstream log(dir / "two" / "train.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("data-parallel: 2 ranks (mpirun) x 1 threads per rank; global batch 8 structures (4 per rank)"),
            std::string::npos)
      << text;
  // Validation metrics are reduced over the ranks: the same rows as one rank's.
  const auto rows_one = read_csv(dir / "one" / "metrics.csv"), rows_two = read_csv(dir / "two" / "metrics.csv");
  ASSERT_EQ(rows_one.size(), 4u);
  ASSERT_EQ(rows_two.size(), rows_one.size());
  for (std::size_t r = 1; r < rows_one.size(); ++r) {
    for (std::size_t c = 4; c < rows_one[r].size(); ++c) {  // after epoch, step, time_s, lr
      const double a = std::stod(rows_one[r][c]), b = std::stod(rows_two[r][c]);
      EXPECT_NEAR(a, b, 1e-9 * std::abs(a)) << rows_one[0][c] << " row " << r;
    }
  }
  EXPECT_FALSE(fs::exists(dir / "two" / "rank1"));
}

// The torchrun variables; stopped after 4 steps, resumed on one rank with the global batch.
TEST_F(CliTrainDistributed, TorchrunLaunchResumesOnOneRank) {
  const fs::path dir = temp_dir("cli_train_ddp_resume");
  const Data d = make_data(dir, 21, "");
  const auto one = run_command(train_command(d, dir / "one", 8));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto part = run_command("cd " + quoted(dir) + " && " +
                                torchrun_pair(train_command(d, dir / "two", 4, " --set training.max_steps=4"),
                                              fresh_port()));
  ASSERT_EQ(part.exit_code, 0) << part.output;
  EXPECT_EQ(train::read_checkpoint_state(dir / "two" / "checkpoints" / "last").step, 4);
  const auto rest = run_command(eqt_command() + "train --resume " + quoted(dir / "two") +
                                " --quiet --set data.batch_size=8 --set training.max_steps=0");
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  expect_close_weights(dir / "one", dir / "two", 1e-10);
}

TEST_F(CliTrainDistributed, RanksWithDifferentConfigsStopBeforeTheFirstStep) {
  const fs::path dir = temp_dir("cli_train_ddp_mismatch");
  const Data d = make_data(dir, 8, "");
  const auto r = run_command("cd " + quoted(dir) + " && " +
                             torchrun_pair(train_command(d, dir / "run", 4), fresh_port(), "",
                                           " --set optimiser.lr=0.01"));
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rank 1 has a different config than rank 0"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "run" / "checkpoints"));
}

TEST_F(CliTrainDistributed, AMissingRankIsAnErrorAfterTheTimeout) {
  const fs::path dir = temp_dir("cli_train_ddp_alone");
  const Data d = make_data(dir, 8, "");
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_command("RANK=0 WORLD_SIZE=2 MASTER_PORT=" + std::to_string(fresh_port()) +
                             " EQT_DISTRIBUTED_TIMEOUT=3 " + train_command(d, dir / "run", 4));
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("rank 0 of 2: no rendezvous with the other ranks"), std::string::npos) << r.output;
  EXPECT_LT(waited, 60.0);
}

TEST_F(CliTrainDistributed, ARankKilledDuringTrainingStopsTheOther) {
  const fs::path dir = temp_dir("cli_train_ddp_killed");
  const Data d = make_data(dir, 32, "");
  const int port = fresh_port();
  const std::string env = "WORLD_SIZE=2 MASTER_PORT=" + std::to_string(port) + " ";
  const std::string command = train_command(d, dir / "run", 4, " --set training.epochs=200");
  std::vector<pid_t> pids;
  for (int rank = 0; rank < 2; ++rank) {
    const std::string line = "exec env RANK=" + std::to_string(rank) + " " + env + command + " > " +
                             quoted(dir / ("rank" + std::to_string(rank) + ".log")) + " 2>&1";
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    pids.push_back(pid);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (data_rows(dir / "run" / "metrics.csv") < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(data_rows(dir / "run" / "metrics.csv"), 1u) << "the run made no progress";
  kill(pids[1], SIGKILL);
  int status = 0;
  waitpid(pids[1], &status, 0);
  waitpid(pids[0], &status, 0);  // rank 0 must stop by itself (the test's own timeout otherwise)
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1);
  std::ifstream log(dir / "rank0.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("rank 0 of 2: exchanging"), std::string::npos) << text;
  // What was checkpointed stays usable: the run resumes on one rank.
  const auto resumed = run_command(eqt_command() + "train --resume " + quoted(dir / "run") +
                                   " --quiet --set training.epochs=3 --set data.batch_size=8");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
}

// Frame `frame`'s first force label becomes 1e300: finite, so the reader keeps it, but its square
// overflows, so every batch holding that frame has an infinite loss on the rank that computes it.
void poison_force_label(const fs::path& xyz, int frame) {
  std::ifstream in(xyz);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::size_t at = 0;
  for (int f = 0; f < frame; ++f) at += 2 + std::stoul(lines.at(at));
  std::istringstream atom(lines.at(at + 2));
  std::string species, x, y, z;
  atom >> species >> x >> y >> z;
  lines.at(at + 2) = species + " " + x + " " + y + " " + z + " 1e300 0 0";
  std::ofstream out(xyz);
  for (const auto& line : lines) out << line << "\n";
}

// The poisoned frame's batch is skipped by both ranks together (a NaN or Inf on one rank is one on
// every rank after the gradient sum): no hang, the same weights as one rank with the global batch,
// and each skip's warning names the frame.
TEST_F(CliTrainDistributed, ANonFiniteLossOnOneRankIsSkippedByEveryRank) {
  const fs::path dir = temp_dir("cli_train_ddp_nonfinite");
  // A fixed force scale: fitted, it would overflow too, and training would refuse to start
  // (train.Normalisation.AnOverflowingStatisticNamesTheStructure).
  const Data d = make_data(dir, 16, "normalisation: {scale: 1.0}");
  poison_force_label(d.train, 5);
  const auto one = run_command(train_command(d, dir / "one", 8));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run_command(mpirun(2, fresh_port()) + train_command(d, dir / "two", 4));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  expect_close_weights(dir / "one", dir / "two", 1e-10);
  for (const char* run : {"one", "two"}) {
    std::ifstream log(dir / run / "train.log");
    const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    std::size_t skips = 0;
    for (std::size_t at = text.find("skipped: non-finite"); at != std::string::npos;
         at = text.find("skipped: non-finite", at + 1)) {
      ++skips;
      const std::size_t end = text.find('\n', at);
      EXPECT_NE(text.substr(at, end - at).find("train.xyz: frame 5"), std::string::npos) << text;
    }
    EXPECT_EQ(skips, 3u) << run << ": one skipped step per epoch\n" << text;  // training.epochs=3
  }
}

// predict and eval under mpirun: rank 0 writes the same file and the same metrics as one process.
TEST_F(CliTrainDistributed, PredictAndEvalShardTheStructuresOverRanks) {
  const fs::path dir = temp_dir("cli_predict_ddp");
  const Data d = make_data(dir, 8, "");
  const auto trained = run_command(train_command(d, dir / "run", 4, " --set training.epochs=1"));
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  TrainDataOptions o;
  o.frames = 23;  // batches of 4: 6 batches, the last one short; rounds of 2 batches
  o.seed = 5;
  write_pair_potential_dataset(dir / "input.xyz", o);
  const std::string predict = eqt_command() + "predict --model " + quoted(dir / "run") + " --input " +
                              quoted(dir / "input.xyz") + " --batch-size 4 --prefix pred_ --output ";
  const auto one = run_command(predict + quoted(dir / "one.xyz"));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = run_command(mpirun(2, fresh_port()) + predict + quoted(dir / "two.xyz"));
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const auto read = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  const std::string expected = read(dir / "one.xyz");
  EXPECT_NE(expected.find("pred_forces"), std::string::npos);
  EXPECT_EQ(read(dir / "two.xyz"), expected);  // same frames, same order, same digits

  const std::string eval = eqt_command() + "eval --model " + quoted(dir / "run") + " --input " +
                           quoted(dir / "input.xyz") + " --batch-size 4 --no-plots --output-dir ";
  const auto eval_one = run_command(eval + quoted(dir / "eval_one"));
  ASSERT_EQ(eval_one.exit_code, 0) << eval_one.output;
  const auto eval_two = run_command(mpirun(2, fresh_port()) + eval + quoted(dir / "eval_two"));
  ASSERT_EQ(eval_two.exit_code, 0) << eval_two.output;
  const std::string metrics = read(dir / "eval_one" / "metrics.csv");
  EXPECT_NE(metrics.find("forces"), std::string::npos) << metrics;
  EXPECT_EQ(read(dir / "eval_two" / "metrics.csv"), metrics);
}

// SIGKILL of every process of a 2-rank run (after checkpoints were written), then a 2-rank resume:
// the weights of the uninterrupted run.
TEST_F(CliTrainDistributed, SigkilledTwoRankRunResumesToTheUninterruptedWeights) {
  const fs::path dir = temp_dir("cli_train_ddp_sigkill");
  const Data d = make_data(dir, 21, "");
  const std::string epochs = " --set training.epochs=12";
  const auto one = run_command(train_command(d, dir / "one", 8, epochs));
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const fs::path killed = dir / "killed_run";
  const std::string command = "exec env " + mpirun(2, fresh_port()) + train_command(d, killed, 4, epochs) + " > " +
                              quoted(dir / "killed.log") + " 2>&1";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  bool exited = false;
  while (!exited && data_rows(killed / "metrics.csv") < 3) {
    exited = waitpid(pid, &status, WNOHANG) == pid;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_FALSE(exited) << "the run finished before it could be killed; make it longer";
  // Every rank and mpirun itself (their command lines name the run directory).
  run_command("pkill -KILL -f " + quoted(killed));
  waitpid(pid, &status, 0);
  ASSERT_LT(train::read_checkpoint_state(killed / "checkpoints" / "last").epoch, 12);
  const auto resumed = run_command(mpirun(2, fresh_port()) + eqt_command() + "train --resume " + quoted(killed) +
                                   " --quiet");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  expect_close_weights(dir / "one", killed, 1e-10);
  EXPECT_EQ(data_rows(killed / "metrics.csv"), 12u);
}

}  // namespace
}  // namespace eqt::testing
