/*
 * lru.h - an intrusive least-recently-used list.
 *
 * A base header, like log.h, xmalloc.h and limits.h: parsers/ and rules/
 * may include it (the X.509 cache and the rules verdict cache both use
 * it); it depends on nothing else in sensor/.  Header-only and static
 * inline: a cache hit costs two unlinks and a push, no call.
 *
 * The entry embeds a struct lru_node and the list owns nothing: the cache
 * that uses it allocates and frees its entries, and finds an entry from
 * its node with LRU_ENTRY().  The list is circular around a sentinel, so
 * no operation tests for an empty neighbour.  A node not on any list has
 * next == NULL (a zeroed node is unlinked), which lru_linked() reports.
 * A struct lru must not move once lru_init() ran: its nodes point at it.
 */
#ifndef ROOTWATCH_LRU_H
#define ROOTWATCH_LRU_H

#include <stddef.h>

struct lru_node {
	struct lru_node	*prev, *next;
};

struct lru {
	struct lru_node	 head;	/* head.next: newest, head.prev: oldest */
	size_t		 n;
};

#define LRU_ENTRY(node, type, member) \
	((type *)(void *)((char *)(node) - offsetof(type, member)))

static inline void
lru_init(struct lru *l)
{
	l->head.prev = l->head.next = &l->head;
	l->n = 0;
}

static inline int
lru_linked(const struct lru_node *e)
{
	return e->next != NULL;
}

/* Take e off the list l it is on. */
static inline void
lru_unlink(struct lru *l, struct lru_node *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

/* Put an unlinked e at the newest end. */
static inline void
lru_push(struct lru *l, struct lru_node *e)
{
	e->prev = &l->head;
	e->next = l->head.next;
	l->head.next->prev = e;
	l->head.next = e;
	l->n++;
}

/* e was used: make it the newest. */
static inline void
lru_touch(struct lru *l, struct lru_node *e)
{
	if (l->head.next == e)
		return;
	lru_unlink(l, e);
	lru_push(l, e);
}

/* The least recently used node, NULL when the list is empty. */
static inline struct lru_node *
lru_oldest(const struct lru *l)
{
	return l->head.prev != &l->head ? l->head.prev : NULL;
}

#endif
