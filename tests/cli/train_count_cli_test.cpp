// End-to-end: synth -> train (loc) -> count through the real command line, and the errors a
// newcomer meets first.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "test_env.h"
#include <nlohmann/json.hpp>

#include "wisenet/core/atomic_file.h"

namespace wisenet {
namespace {

namespace fs = std::filesystem;

using test::count_lines;

TEST(TrainCountCli, TrainsCountsAndResumes) {
  const fs::path dir = test::temp_dir("train_cli");
  ASSERT_EQ(test::run_cli("synth --images 8 --size 64 --classes 1 --seed 2 --out " +
                          (dir / "data").string()).exit_code, 0);
  const std::string data = (dir / "data").string();
  const auto train = test::run_cli("train --stage loc --train " + data + "/train.json --val " +
                                   data + "/val.json --out " + (dir / "run").string() +
                                   " --max-steps 6 --val-every 3 --threads 1 --no-progress");
  ASSERT_EQ(train.exit_code, 0) << train.out << train.err;
  EXPECT_NE(train.out.find("steps 6"), std::string::npos) << train.out;
  for (const char* f : {"last.ckpt", "best.ckpt", "log.csv", "curves.png", "options.json"}) {
    EXPECT_TRUE(fs::exists(dir / "run" / f)) << f;
  }
  // A second train into the same folder is refused; --resume continues it.
  const auto again = test::run_cli("train --stage loc --train " + data + "/train.json --out " +
                                   (dir / "run").string() + " --max-steps 6 --no-progress");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  // So is a two-stage run into a one-stage run's folder, whose options.json it would replace.
  const std::string options_before = read_file((dir / "run" / "options.json").string());
  const auto both = test::run_cli("train --train " + data + "/train.json --out " +
                                  (dir / "run").string() + " --max-steps 6 --no-progress");
  EXPECT_NE(both.exit_code, 0);
  EXPECT_NE(both.err.find("--resume"), std::string::npos) << both.err;
  EXPECT_EQ(read_file((dir / "run" / "options.json").string()), options_before);
  const auto resumed = test::run_cli("train --resume " + (dir / "run").string() +
                                     " --max-steps 8 --threads 1 --no-progress");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("steps 8"), std::string::npos) << resumed.out;

  const auto count = test::run_cli("count --model " + (dir / "run" / "last.ckpt").string() +
                                   " --images " + data + "/val.json --csv " +
                                   (dir / "counts.csv").string() + " --threads 1 --quiet");
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_NE(count.out.find("MAE"), std::string::npos) << count.out;
  const std::string csv = read_file((dir / "counts.csv").string());
  EXPECT_EQ(csv.rfind("image,class,count,true_count,seeds\n", 0), 0u) << csv;
  // A folder of images works too (no ground truth, so no MAE).
  const auto folder = test::run_cli("count --model " + (dir / "run" / "last.ckpt").string() +
                                    " --images " + data + "/images --quiet --threads 1");
  ASSERT_EQ(folder.exit_code, 0) << folder.err;
  EXPECT_EQ(folder.out.find("MAE"), std::string::npos);
}

// The default stage, both: loc into RUN/loc, then emb into RUN/emb from loc's best.ckpt; a
// second train into the folder is refused; --resume goes on with emb only.
TEST(TrainCountCli, TrainsBothStagesByDefaultAndResumesTheEmbeddingStage) {
  const fs::path dir = test::temp_dir("train_both_cli");
  ASSERT_EQ(test::run_cli("synth --images 8 --size 64 --classes 1 --seed 2 --out " +
                          (dir / "data").string()).exit_code, 0);
  const std::string data = (dir / "data").string(), run = (dir / "run").string();
  const auto both = test::run_cli("train --train " + data + "/train.json --val " + data +
                                  "/val.json --out " + run +
                                  " --max-steps 3 --val-every 3 --threads 1 --no-progress");
  ASSERT_EQ(both.exit_code, 0) << both.out << both.err;
  EXPECT_NE(both.out.find("loc: steps 3"), std::string::npos) << both.out;
  EXPECT_NE(both.out.find("emb: steps 3"), std::string::npos) << both.out;
  EXPECT_NE(both.out.find("model: " + run + "/emb/best.ckpt"), std::string::npos) << both.out;
  for (const char* f : {"loc/last.ckpt", "loc/best.ckpt", "loc/complete", "emb/last.ckpt",
                        "emb/best.ckpt", "emb/curves.png", "options.json"}) {
    EXPECT_TRUE(fs::exists(dir / "run" / f)) << f;
  }
  EXPECT_FALSE(fs::exists(dir / "run" / "last.ckpt"));
  const auto options = nlohmann::json::parse(read_file(run + "/options.json"));
  EXPECT_EQ(options.at("stage"), "both");
  const auto emb_options = nlohmann::json::parse(read_file(run + "/emb/options.json"));
  EXPECT_EQ(emb_options.at("stage"), "emb");
  EXPECT_EQ(emb_options.at("init"), run + "/loc/best.ckpt");
  const std::string loc_before = read_file(run + "/loc/last.ckpt");

  const auto again = test::run_cli("train --train " + data + "/train.json --out " + run +
                                   " --max-steps 3 --no-progress");
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(count_lines(again.err), 1) << again.err;
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;

  const auto resumed =
      test::run_cli("train --resume " + run + " --max-steps 5 --threads 1 --no-progress");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("emb: steps 5"), std::string::npos) << resumed.out;
  EXPECT_EQ(resumed.out.find("loc: "), std::string::npos) << resumed.out;
  EXPECT_EQ(read_file(run + "/loc/last.ckpt"), loc_before) << "a complete loc stage is kept";
}

// SIGTERM (or Ctrl-C) stops training after the current step and leaves a loadable last.ckpt;
// in the default stage both, during loc, the E-Net stage is not started.
TEST(TrainCountCli, SigtermStopsAfterTheStepAndSaves) {
  const fs::path dir = test::temp_dir("train_sigterm");
  ASSERT_EQ(test::run_cli("synth --images 6 --size 48 --classes 1 --seed 4 --out " +
                          (dir / "data").string()).exit_code, 0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string train = (dir / "data" / "train.json").string();
    const std::string out = (dir / "run").string();
    const std::string cli = test::cli_path().string();
    if (freopen("/dev/null", "w", stderr) == nullptr) _exit(126);
    execl(cli.c_str(), cli.c_str(), "train", "--train", train.c_str(), "--out", out.c_str(),
          "--epochs", "100000", "--threads", "1", "--no-progress", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until a few steps are logged, then ask it to stop.
  const fs::path log = dir / "run" / "loc" / "log.csv";
  for (int i = 0; i < 600; ++i) {
    if (fs::exists(log) && count_lines(read_file(log.string())) > 5) break;
    usleep(100000);
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed instead of stopping cleanly";
  EXPECT_TRUE(fs::exists(dir / "run" / "loc" / "last.ckpt"));
  EXPECT_FALSE(fs::exists(dir / "run" / "loc" / "complete"));
  EXPECT_FALSE(fs::exists(dir / "run" / "emb"));
  const auto count = test::run_cli("count --model " + (dir / "run" / "loc" / "last.ckpt").string() +
                                   " --images " + (dir / "data" / "images").string() +
                                   " --quiet --threads 1");
  EXPECT_EQ(count.exit_code, 0) << count.err;
}

TEST(TrainCountCli, BadInputIsOneLineAndNonZero) {
  const fs::path dir = test::temp_dir("train_bad");
  const auto missing = test::run_cli("train --train " + (dir / "nope.json").string() + " --out " +
                                     (dir / "run").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_EQ(count_lines(missing.err), 1) << missing.err;
  EXPECT_NE(missing.err.find("nope.json"), std::string::npos) << missing.err;

  write_file_atomic((dir / "bad.json").string(), "{\"images\": [");
  const auto malformed = test::run_cli("train --train " + (dir / "bad.json").string() +
                                       " --out " + (dir / "run").string());
  EXPECT_NE(malformed.exit_code, 0);
  EXPECT_EQ(count_lines(malformed.err), 1) << malformed.err;
  EXPECT_NE(malformed.err.find("malformed JSON"), std::string::npos) << malformed.err;

  const auto bad_value = test::run_cli("train --train x.json --out y --lr fast");
  EXPECT_NE(bad_value.exit_code, 0);
  EXPECT_NE(bad_value.err.find("--lr"), std::string::npos) << bad_value.err;

  const auto no_model = test::run_cli("count --model " + (dir / "none.ckpt").string() +
                                      " --images " + dir.string());
  EXPECT_NE(no_model.exit_code, 0);
  EXPECT_EQ(count_lines(no_model.err), 1) << no_model.err;
  EXPECT_NE(no_model.err.find("none.ckpt"), std::string::npos) << no_model.err;
}

}  // namespace
}  // namespace wisenet
