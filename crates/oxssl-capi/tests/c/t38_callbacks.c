/* Application data (SSL_get_ex_new_index, SSL_set_ex_data, app_data, the free callback at
 * SSL_free), the key log callback (the labels it is given, sorted: the secrets are random)
 * and the info callback (handshake start and done, alerts), used from inside the callbacks
 * through the SSL they receive. */
#include "common.h"

static int idx_ssl, idx_ctx, frees;
static char labels[2][16][48];
static int nlabels[2];

static void free_cb(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl, void *argp)
{
    (void)parent;
    (void)ad;
    (void)argp;
    if (ptr != NULL) {
        frees++;
        printf("free_cb idx=%d argl=%ld value=%s\n", idx == idx_ssl, argl, (char *)ptr);
    }
}

static void keylog(const SSL *s, const char *line)
{
    int side = *(int *)SSL_get_ex_data(s, idx_ssl) == 'c' ? 0 : 1;
    if (nlabels[side] < 16) {
        sscanf(line, "%47s", labels[side][nlabels[side]]);
        nlabels[side]++;
    }
}

static int cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void info(const SSL *s, int where, int ret)
{
    const char *who = SSL_get_app_data(s);
    if (where & SSL_CB_HANDSHAKE_START)
        printf("info %s: handshake start\n", who);
    if (where & SSL_CB_HANDSHAKE_DONE)
        printf("info %s: handshake done\n", who);
    if (where & SSL_CB_ALERT)
        printf("info %s: alert %s level=%d desc=%d\n", who,
               (where & SSL_CB_READ) ? "read" : "write", ret >> 8, ret & 0xff);
}

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    static int c_tag = 'c', s_tag = 's';
    printf("ctx set_ex=%d\n", SSL_CTX_set_ex_data(cctx, idx_ctx, "client context"));
    printf("ctx get_ex=%s\n", (char *)SSL_CTX_get_ex_data(cctx, idx_ctx));
    SSL_CTX_set_keylog_callback(cctx, keylog);
    SSL_CTX_set_keylog_callback(sctx, keylog);
    printf("keylog cb set: %d\n", SSL_CTX_get_keylog_callback(cctx) == keylog);
    SSL_CTX_set_info_callback(cctx, info);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_info_callback(s, info);
    printf("info cb: ctx=%d ssl=%d\n", SSL_CTX_get_info_callback(cctx) == info,
           SSL_get_info_callback(s) == info);
    printf("unset ex=%p\n", SSL_get_ex_data(c, idx_ssl));
    SSL_set_ex_data(c, idx_ssl, &c_tag);
    SSL_set_ex_data(s, idx_ssl, &s_tag);
    SSL_set_app_data(c, "client");
    SSL_set_app_data(s, "server");
    printf("ctx of ssl: %d\n", SSL_get_SSL_CTX(c) == cctx);
    nlabels[0] = nlabels[1] = 0;
    if (!handshake(c, s))
        exit(1);
    for (int side = 0; side < 2; side++) {
        qsort(labels[side], nlabels[side], sizeof(labels[side][0]), cmp);
        printf("%s keylog %d lines:", side ? "server" : "client", nlabels[side]);
        for (int i = 0; i < nlabels[side]; i++)
            printf(" %s", labels[side][i]);
        printf("\n");
    }
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_set_ex_data(c, idx_ssl, "freed with client");
    SSL_set_ex_data(s, idx_ssl, "freed with server");
    SSL_free(c);
    SSL_free(s);
    printf("frees=%d\n", frees);
    /* Without a key log callback, a new connection logs nothing. */
    SSL_CTX_set_keylog_callback(cctx, NULL);
    SSL_CTX_set_keylog_callback(sctx, NULL);
    SSL_CTX_set_info_callback(cctx, NULL);
    nlabels[0] = nlabels[1] = 0;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_ex_data(c, idx_ssl, &c_tag);
    SSL_set_ex_data(s, idx_ssl, &s_tag);
    handshake(c, s);
    printf("keylog cleared: cb=%p lines=%d/%d\n", (void *)SSL_CTX_get_keylog_callback(cctx),
           nlabels[0], nlabels[1]);
    SSL_set_ex_data(c, idx_ssl, NULL);
    SSL_set_ex_data(s, idx_ssl, NULL);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    idx_ssl = SSL_get_ex_new_index(7, NULL, NULL, NULL, free_cb);
    idx_ctx = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    printf("indexes ssl=%d ctx=%d next=%d\n", idx_ssl, idx_ctx,
           SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL));
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    errs("end");
    return 0;
}
