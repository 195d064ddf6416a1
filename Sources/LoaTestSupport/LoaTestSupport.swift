// The testing library's old name, for the files that still import it
// (LoaAudioTests, the start-accuracy benchmark), which are being changed
// elsewhere; remove once they import LoaTesting.
@_exported import LoaTesting
