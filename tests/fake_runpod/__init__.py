"""Tests of the local fake Runpod (fake_runpod/)."""
