"""Tests of the Business Standard crawler."""
