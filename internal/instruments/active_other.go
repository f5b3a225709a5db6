//go:build !(amd64 || arm64) || purego

package instruments

func active() Set { return goSet() }
