# Unit tests too slow for the sanitizer stage of .ci/run: each takes 2 s or more in a Release
# build (whole demo generations, pipelines, served jobs, Gemma generation, tiled diffusion-VAE
# decodes; measured with ctest on the 2-core development machine), several times that
# under AddressSanitizer. ctest reads this file after the discovered gtest cases and adds the
# label `slow` to these; `scripts/test.sh --label sanitize` runs what is labelled `sanitize`
# and not `slow`. A name that no longer exists is ignored: keep the list in step with renames.
set(ltx2_slow_tests
  DiffVaeParity.TiledAcrossColumns
  DiffVaeParity.TiledAcrossFrames
  Gemma3Generate.GreedyGoldenPasses
  Gemma3Generate.SampledGenerationIsSeeded
  GemmaGguf.GreedyGenerationGoldenPassesFromABf16File
  GemmaGguf.Ltx2GeneratesWithAGgufGemma
  GemmaGguf.OneTokenStepsReadTheBlocksInPlace
  GemmaGguf.TinyGoldenFromQ8_0WithinItsQuantizationError
  KeptModels.RepeatedDistilledGenerationsInOneProcessAreIdentical
  Ltx23TextEncoding.EncodePromptsGivesStreamWidthContexts
  Ltx23TextParity.EndToEnd
  Ltx2Enhance.DemoEnhancesThePromptAndRecordsBoth
  Ltx2Enhance.ImageToVideoWarnsThatTheImageIsNotSeen
  Ltx2Generate.DemoWritesAPlayableMp4WithSyncedAudio
  Ltx2Generate.DiskFullLeavesNoPartialFile
  Ltx2Generate.FramesDirAudioOutAndJsonProgress
  Ltx2Generate.GuidedPipelinesRunOnTheDemo
  Ltx2Generate.ImageConditioningKeyframesAndIcLoraRunOnTheDemo
  Ltx2Generate.NtscRatesAreExactAndTheNameMustBeMp4
  Ltx2Generate.SameSeedSameBytesDifferentSeedDifferentBytes
  Ltx2Generate23.DemoWritesH264And48kHzAacDeterministically
  Ltx2Generate23.EveryPipelineRunsOnThe23Demo
  Ltx2Generate23.GuidedPipelinesRefuseTheDistilledCheckpoint
  Ltx2Generate23.X1_5SpatialUpsamplerStartsAtTwoThirds
  Ltx2GenerateA2v.DemoFromWavAndMp3CarriesTheInputAudio
  Ltx2GenerateRetake.AKeptStreamIsTheSourceWhateverThePrompt
  Ltx2GenerateRetake.ASilentClipGetsItsAudioGenerated
  Ltx2GenerateRetake.DemoRetakesASpanOfAClipItGenerated
  Ltx2GenerateRetake.ErrorsComeBeforeAnyModelRunsAndNothingIsOverwritten
  LtxForeignGguf.ProgramTakesATransformerGguf
  ModelFilesProgram.A23TransformerGgufBesideTheCheckpointGivesTheSameVideo
  ModelFilesProgram.KijaiSplitFilesGiveTheSingleFilesVideoBitForBit
  ModelFilesProgram.Official23Fp8CheckpointRuns
  OutputSafetyCli.AnotherWritersTempIsNeverTouched
  OutputSafetyCli.FramesDirIsWrittenWholeAndAnEarlierRunsFramesAreRefused
  OutputSafetyCli.SigtermOrSigintDuringAWriteLeavesNoTemp
  PipelineBf16.FixturesWithinBf16ToleranceOfTheFloat32Goldens
  PipelineGolden.ICLora
  PipelineGolden.KeyframeInterpolation
  PipelineGolden.OneStageCfg
  PipelineGolden.RetakeGuidedWithTheAudioKept
  PipelineGolden.TwoStage
  PipelineGolden.TwoStageLtx23
  PipelineLoras.DroppingTheDistilledLoraChangesOnlyStage2
  PipelineLoras.DroppingTheICLoraChangesStage1
  PipelineModels.OneTransformerResidentAtATimeAndReusedForEqualRequests
  PipelineTextCache.SameResultsBitwiseAndBothPassTheGoldens
  PipelineUpscale.X1_5RunsEndToEndAndAMismatchedUpsamplerIsNamed
  PipelineVersions.TwoStageOfLtx23ReturnsTheStage1Audio
  QuantizeGemma.TokenizerJsonIsEmbeddedAndVisionTensorsAreLeftOut
  ServeApi.AcceptsOpenAiFieldsMultipartAndAnImage
  ServeApi.AudioToVideoAndRetakeTakeUploadedMedia
  ServeApi.CreatePollAndFetchContentWithRanges
  ServeApi.DemoJobGivesTheSameMp4AsTheCommandLine
  ServeApi.EnhancedPromptIsReported
  ServeApi.EventsStreamProgressStagesAndDone
  ServeApi.KeepHoursExpiresOldResults
  ServeApi.ModelsAreNotKeptBeyondTheMemoryBudget
  ServeApi.RestartKeepsFinishedJobsAndRunsTheQueuedOnes
  TextEncoding.Bf16PrecisionStaysWithinTheBf16Criteria
  TransformerLtx23.StaleSigmaCacheIsNotUsed
  TransformerLtx25Parity.AvTiny
  UpfrontValidation.RandomSeedIsPrintedAndStoredSoTheRunRepeats
  VideoVaeTiling.Ltx23DecoderTiledWithinBudgetStaysCloseToUntiled
  VocoderBwe.OutputLengthAndRate
  VocoderBweParity.Forward
  VocoderForward.BadMelShapes
)
foreach(test_name IN LISTS ltx2_slow_tests)
  set_tests_properties("${test_name}" PROPERTIES LABELS slow)
endforeach()
