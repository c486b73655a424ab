// The fuzz tests' generator is MoatCore's, so a seed means the same sequence everywhere.
@_exported import struct MoatCore.SplitMix64
