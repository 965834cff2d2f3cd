// SPDX-License-Identifier: GPL-2.0
/*
 * split-lock-gen: make split locks (or, for comparison, aligned locked
 * operations) on demand from user space, and time them.
 *
 *   split-lock-gen [-a] [-n COUNT] [-w 4|8]
 *
 * -a      aligned operand instead of one straddling two cache lines
 * -n      locked adds to do (default 1000000)
 * -w      operand width in bytes, 4 (lock addl) or 8 (lock addq)
 *
 * Prints the count and the TSC cycles per locked add. On a CPU with
 * split-lock detection, the kernel's split_lock_detect= mode decides what
 * happens to it: warn (the default) logs it and slows it down, fatal kills
 * it with SIGBUS, off lets it run at the price the cost meter measures.
 * split_lock.ko counts each trap against this process.
 *
 * Build: cc -O2 -o split-lock-gen split-lock-gen.c
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <x86intrin.h>

#define CACHE_LINE 64

static void lock_add32(void *p)
{
	__asm__ volatile("lock addl $1, (%0)" : : "r"(p) : "memory", "cc");
}

static void lock_add64(void *p)
{
	__asm__ volatile("lock addq $1, (%0)" : : "r"(p) : "memory", "cc");
}

static void bad_arguments(const char *prog)
{
	fprintf(stderr, "usage: %s [-a] [-n COUNT] [-w 4|8]\n", prog);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long count = 1000000, i;
	int aligned = 0, width = 4, opt;
	uint64_t t0, t1;
	char *buf, *end;
	void *p;

	while ((opt = getopt(argc, argv, "an:w:")) != -1) {
		switch (opt) {
		case 'a':
			aligned = 1;
			break;
		case 'n':
			count = strtoul(optarg, &end, 0);
			if (*end || !count)
				bad_arguments(argv[0]);
			break;
		case 'w':
			width = atoi(optarg);
			if (width != 4 && width != 8)
				bad_arguments(argv[0]);
			break;
		default:
			bad_arguments(argv[0]);
		}
	}
	if (optind != argc)
		bad_arguments(argv[0]);

	buf = aligned_alloc(CACHE_LINE, 4 * CACHE_LINE);
	if (!buf)
		return 1;
	/* Straddling: the operand's first half ends one line, the rest starts the next. */
	p = aligned ? buf + 2 * CACHE_LINE : buf + CACHE_LINE - width / 2;
	t0 = __rdtsc();
	for (i = 0; i < count; i++) {
		if (width == 4)
			lock_add32(p);
		else
			lock_add64(p);
	}
	t1 = __rdtsc();
	printf("%s %d-byte locked adds: %lu, cycles per add: %.2f\n",
	       aligned ? "aligned" : "split", width, count, (double)(t1 - t0) / count);
	free(buf);
	return 0;
}
