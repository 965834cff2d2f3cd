# SPDX-License-Identifier: GPL-2.0
"""kernlabs host-side tooling: the test VM runner and the test runner."""
