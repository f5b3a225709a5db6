//go:build !purego

package asm

import "testing"

func TestClampNEON(t *testing.T) { testClamp(t, ClampNEON) }
