package kernels

import "github.com/simdnn/simdnn/kernels/internal/impls"

// exportImpls hands the tables, alternates included, to the tests of
// package kernels that live in packages of their own (see package impls).
func exportImpls() {
	for _, im := range tables() {
		impls.List = append(impls.List, impls.Impl{Name: im.label(), Active: im == active, Exp: im.exp, Tanh: im.tanh, Sigmoid: im.sigmoid})
	}
}
