// SPDX-License-Identifier: GPL-2.0
/*
 * printk_ring: parsing what is written to the log file and formatting what
 * is read from it, in /dev/kmsg's format (Documentation/ABI/testing/
 * dev-kmsg). Pure functions, driven by KUnit.
 */

#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/module.h>

#include "compat.h"
#include "printk_ring.h"

/**
 * printk_ring_parse_write() - split one write() into facility, level and text
 * @buf:           the bytes written (modified: a trailing newline is cut)
 * @count:         how many
 * @max_text:      the largest text the ring takes
 * @default_level: level of a write without a "<N>" prefix
 * @facility:      the facility: N >> 3, or user if that is 0 (kernel)
 * @level:         the level: N & 7
 * @text:          set to the text within @buf
 * @len:           the text's length
 *
 * As /dev/kmsg: an optional "<N>" prefix gives the level and facility
 * (user space may not claim the kernel's), one trailing newline is dropped,
 * any other byte is kept (readers see it escaped). Unlike /dev/kmsg, an
 * empty text is refused rather than logged.
 *
 * Return: 0; -EINVAL if no text remains; -EMSGSIZE if it exceeds @max_text.
 */
int printk_ring_parse_write(char *buf, size_t count, unsigned int max_text, u8 default_level,
			    u8 *facility, u8 *level, char **text, unsigned int *len)
{
	size_t i = 1;
	unsigned int n = 0;

	*facility = PRINTK_RING_FAC_USER;
	*level = default_level;
	if (count >= 2 && buf[0] == '<') {
		while (i < count && i < 12 && isdigit(buf[i]))
			n = n * 10 + (buf[i++] - '0');
		if (i < count && buf[i] == '>') {
			*level = n & 7;
			if (n >> 3)
				*facility = min(n >> 3, 255U);
			buf += i + 1;
			count -= i + 1;
		}
	}
	if (count && buf[count - 1] == '\n')
		count--;
	if (!count)
		return -EINVAL;
	if (count > max_text)
		return -EMSGSIZE;
	*text = buf;
	*len = count;
	return 0;
}
EXPORT_SYMBOL_GPL(printk_ring_parse_write);

/**
 * printk_ring_unescape() - decode the \xNN escapes of /dev/kmsg's format
 * @dst: where the text goes, @len bytes at most (may be @src)
 * @src: the escaped text
 * @len: its length
 *
 * What an extended console receives is escaped as /dev/kmsg escapes it;
 * decoding it first keeps a mirrored message from being escaped twice.
 *
 * Return: the decoded length.
 */
unsigned int printk_ring_unescape(char *dst, const char *src, unsigned int len)
{
	unsigned int i = 0, out = 0;
	int hi, lo;

	while (i < len) {
		hi = -1;
		lo = -1;
		if (src[i] == '\\' && i + 3 < len && src[i + 1] == 'x') {
			hi = hex_to_bin(src[i + 2]);
			lo = hex_to_bin(src[i + 3]);
		}
		if (hi >= 0 && lo >= 0) {
			dst[out++] = hi << 4 | lo;
			i += 4;
		} else {
			dst[out++] = src[i++];
		}
	}
	return out;
}
EXPORT_SYMBOL_GPL(printk_ring_unescape);

/**
 * printk_ring_format_max() - the buffer size printk_ring_format() may need
 * @text_len: the record's text length
 *
 * Return: bytes, terminating NUL included.
 */
size_t printk_ring_format_max(unsigned int text_len)
{
	return PRINTK_RING_PREFIX_MAX + 4 * (size_t)text_len + 1;
}
EXPORT_SYMBOL_GPL(printk_ring_format_max);

static const char *const ctx_names[] = {
	[PRING_CTX_TASK] = "task",
	[PRING_CTX_SOFTIRQ] = "softirq",
	[PRING_CTX_HARDIRQ] = "hardirq",
	[PRING_CTX_NMI] = "nmi",
};

/**
 * printk_ring_format() - format a record as /dev/kmsg does
 * @out:  the buffer, printk_ring_format_max(@info->text_len) bytes
 * @size: its size
 * @info: the record's meta data
 * @text: its text, @info->text_len bytes
 *
 * "PRIO,SEQ,USEC,-,caller=T<pid>|C<cpu>;TEXT\n" (PRIO is facility * 8 +
 * level), with bytes below 0x20,
 * above 0x7e and the backslash escaped as \xNN, followed by the dictionary
 * line " CONTEXT=softirq|hardirq|nmi\n" for records written outside task
 * context.
 *
 * Return: the length written, without the NUL.
 */
size_t printk_ring_format(char *out, size_t size, const struct pring_info *info,
			  const char *text)
{
	bool cpu = info->caller_id & PRING_CALLER_CPU;
	size_t len;
	u16 i;

	len = scnprintf(out, size, "%u,%llu,%llu,-,caller=%c%u;",
			(unsigned int)info->facility << 3 | info->level, info->seq,
			div_u64(info->ts_nsec, NSEC_PER_USEC), cpu ? 'C' : 'T',
			info->caller_id & ~PRING_CALLER_CPU);
	for (i = 0; i < info->text_len; i++) {
		unsigned char c = text[i];

		if (c < ' ' || c >= 127 || c == '\\')
			len += scnprintf(out + len, size - len, "\\x%02x", c);
		else if (len + 1 < size)
			out[len++] = c;
	}
	len += scnprintf(out + len, size - len, "\n");
	if (info->ctx != PRING_CTX_TASK && info->ctx < ARRAY_SIZE(ctx_names))
		len += scnprintf(out + len, size - len, " CONTEXT=%s\n", ctx_names[info->ctx]);
	out[len] = '\0';
	return len;
}
EXPORT_SYMBOL_GPL(printk_ring_format);
