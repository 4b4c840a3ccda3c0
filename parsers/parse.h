/*
 * parse.h - the three outcomes of every parser.
 *
 * PARSE_MORE means "truncated so far, the rest may still come" (a stream
 * parser is called again with more bytes); PARSE_BAD means "malformed, no
 * amount of extra bytes will fix this".  They are different outcomes and
 * callers report them differently.
 */
#ifndef ROOTWATCH_PARSE_H
#define ROOTWATCH_PARSE_H

enum parse_result {
	PARSE_OK = 0,
	PARSE_MORE = 1,
	PARSE_BAD = -1,
};

#endif
