// SPDX-License-Identifier: GPL-2.0
/*
 * Harness self-test: a KUnit suite with one case that passes and one that
 * fails, so that `make check` must count the first and report the second.
 */

#include <linux/module.h>
#include <kunit/test.h>

static void kl_selftest_passes(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, 2 + 2, 4);
}

static void kl_selftest_fails(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, 2 + 2, 5, "planted failure");
}

static struct kunit_case kl_selftest_cases[] = {
	KUNIT_CASE(kl_selftest_passes),
	KUNIT_CASE(kl_selftest_fails),
	{}
};

static struct kunit_suite kl_selftest_suite = {
	.name = "kl_selftest",
	.test_cases = kl_selftest_cases,
};

kunit_test_suite(kl_selftest_suite);

MODULE_DESCRIPTION("kernlabs harness self-test: a passing and a failing KUnit case");
MODULE_LICENSE("GPL");
