// PCRE2 is a width-generic library: the 8-bit code unit API is the one for UTF-8 bytes.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
