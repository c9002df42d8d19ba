/* oxssl: <openssl/stack.h>: the untyped stack behind STACK_OF(T). */
#ifndef OPENSSL_STACK_H
#define OPENSSL_STACK_H

#include <openssl/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STACK_OF(type) struct stack_st_##type
typedef void (*OPENSSL_sk_freefunc)(void *);

OPENSSL_STACK *OPENSSL_sk_new_null(void);
int OPENSSL_sk_num(const OPENSSL_STACK *st);
void *OPENSSL_sk_value(const OPENSSL_STACK *st, int i);
int OPENSSL_sk_push(OPENSSL_STACK *st, const void *data);
void OPENSSL_sk_free(OPENSSL_STACK *st);
void OPENSSL_sk_pop_free(OPENSSL_STACK *st, void (*func)(void *));

#ifdef __cplusplus
}
#endif
#endif
