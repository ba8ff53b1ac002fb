"""The nightly replay of the guide on a pod (real or fake), its sweeper and its report."""
