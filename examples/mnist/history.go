package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/google/renameio/v2"
	"github.com/simdnn/simdnn/nn"
)

// epochRecord is the figures of an epoch that the run prints and plots.
type epochRecord struct {
	Epoch        int     `json:"epoch"`
	Loss         float64 `json:"loss"`
	TestLoss     float64 `json:"test_loss"`
	TestAccuracy float64 `json:"test_accuracy"`
	Samples      int     `json:"samples"`
	Seconds      float64 `json:"seconds"`
}

func recordOf(e nn.EpochInfo) epochRecord {
	return epochRecord{Epoch: e.Epoch, Loss: e.Loss, TestLoss: e.Validation.Loss, TestAccuracy: e.Validation.Accuracy,
		Samples: e.Samples, Seconds: e.Duration.Seconds()}
}

// saveHistory writes the figures of the epochs so far to path as JSON,
// atomically, beside the checkpoint, so that a resumed run plots the
// whole run.
func saveHistory(path string, epochs []epochRecord) error {
	b, err := json.Marshal(epochs)
	if err != nil {
		return err
	}
	return renameio.WriteFile(path, b, 0o644)
}

// loadHistory reads what saveHistory wrote: the epochs 1, 2, ... in order.
func loadHistory(path string) ([]epochRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var epochs []epochRecord
	if err := json.Unmarshal(b, &epochs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, e := range epochs {
		if e.Epoch != i+1 {
			return nil, fmt.Errorf("%s: entry %d is epoch %d, want %d", path, i, e.Epoch, i+1)
		}
	}
	return epochs, nil
}
