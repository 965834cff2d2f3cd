/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagecache_lab compat: the differences between Debian's 6.1 and 6.12
 * that the target meets. Kbuild decides by grepping the target kernel's
 * headers.
 */
#ifndef PAGECACHE_LAB_COMPAT_H
#define PAGECACHE_LAB_COMPAT_H

#include <linux/shrinker.h>
#include <linux/slab.h>

/*
 * Linux 6.7 made shrinkers dynamically allocated (shrinker_alloc(),
 * shrinker_register(), shrinker_free(), ->private_data); 6.1 registers a
 * struct shrinker the caller embeds, which here carries the private data.
 */
#ifdef COMPAT_SHRINKER_ALLOC
static inline struct shrinker *
compat_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *, struct shrink_control *),
		       void *private_data, const char *name)
{
	struct shrinker *s = shrinker_alloc(0, "%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = private_data;
	shrinker_register(s);
	return s;
}

static inline void *compat_shrinker_private(struct shrinker *s)
{
	return s->private_data;
}

static inline void compat_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#else
struct compat_shrinker {
	struct shrinker shrinker;
	void *private_data;
};

static inline struct shrinker *
compat_shrinker_create(unsigned long (*count)(struct shrinker *, struct shrink_control *),
		       unsigned long (*scan)(struct shrinker *, struct shrink_control *),
		       void *private_data, const char *name)
{
	struct compat_shrinker *cs = kzalloc(sizeof(*cs), GFP_KERNEL);

	if (!cs)
		return NULL;
	cs->shrinker.count_objects = count;
	cs->shrinker.scan_objects = scan;
	cs->shrinker.seeks = DEFAULT_SEEKS;
	cs->private_data = private_data;
	if (register_shrinker(&cs->shrinker, "%s", name)) {
		kfree(cs);
		return NULL;
	}
	return &cs->shrinker;
}

static inline void *compat_shrinker_private(struct shrinker *s)
{
	return container_of(s, struct compat_shrinker, shrinker)->private_data;
}

static inline void compat_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(container_of(s, struct compat_shrinker, shrinker));
}
#endif

#endif /* PAGECACHE_LAB_COMPAT_H */
