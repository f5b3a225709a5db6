module github.com/simdnn/simdnn/gen

go 1.26.0

require (
	github.com/mmcloughlin/avo v0.6.0
	// arm64asm decodes the WORDs of the arm64 emitter in its tests.
	golang.org/x/arch v0.33.0
)

require (
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	// avo v0.6.0 pins x/tools v0.16.1, which does not build with Go 1.26.
	golang.org/x/tools v0.52.0 // indirect
)
