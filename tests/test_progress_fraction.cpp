// How far a generation has come (app/progress_fraction.h): the server's job percentage and the C
// API's progress fraction.
#include <gtest/gtest.h>

#include "app/progress_fraction.h"

namespace {

using ltx2::ProgressEvent;
using Kind = ltx2::ProgressEvent::Kind;

ProgressEvent stage(const char* name) { return {Kind::StageBegin, name, ""}; }
ProgressEvent step(int done, int total) { return {Kind::Step, "stage", "", done, total}; }

}  // namespace

TEST(ProgressFraction, DenoisingStagesShareTheMiddleAndTheEndStagesFollow) {
    ltx2::ProgressFraction f(ltx2::PipelineKind::Distilled);  // two denoising stages
    EXPECT_FALSE(f.mark(stage("resolve models")));
    EXPECT_EQ(f.value(), 0.0);
    EXPECT_DOUBLE_EQ(*f.mark(stage("encode text")), 0.05);
    EXPECT_FALSE(f.mark(step(0, 8)));  // a stage that starts is no progress yet
    EXPECT_DOUBLE_EQ(*f.mark(step(4, 8)), 0.05 + 0.85 * 0.25);
    EXPECT_DOUBLE_EQ(*f.mark(step(8, 8)), 0.05 + 0.85 * 0.5);
    EXPECT_DOUBLE_EQ(*f.mark(step(3, 3)), 0.90);
    EXPECT_FALSE(f.mark({Kind::Note, "", "a note"}));
    EXPECT_DOUBLE_EQ(*f.mark(stage("decode video")), 0.91);
    EXPECT_DOUBLE_EQ(*f.mark(stage("decode audio")), 0.95);
    EXPECT_DOUBLE_EQ(*f.mark(stage("write outputs")), 0.98);
}

TEST(ProgressFraction, OneStagePipelinesDenoiseOnceAndTheFractionNeverGoesBack) {
    ltx2::ProgressFraction f(ltx2::PipelineKind::OneStage);
    EXPECT_DOUBLE_EQ(*f.mark(step(1, 2)), 0.05 + 0.85 * 0.5);
    EXPECT_DOUBLE_EQ(*f.mark(step(2, 2)), 0.90);
    EXPECT_DOUBLE_EQ(*f.mark(stage("encode text")), 0.90);  // a stage out of order does not lower it
    EXPECT_DOUBLE_EQ(*f.mark(step(1, 2)), 0.90);           // nor do steps beyond the stages it expects
}
