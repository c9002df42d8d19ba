/* SSL_export_keying_material: the same bytes on both ends (printed as equal or not, with
 * the lengths: the values change from run to run), with and without a context (TLS 1.2
 * tells an empty context from none, TLS 1.3 does not), other labels, a label TLS 1.2
 * reserves, before the handshake, NULL. The key log callback: the SSL it is given is the
 * connection that made the line (client or server), its lines per side and their labels,
 * and, after a servername callback switched contexts, the new context's callback; calls on
 * another connection from inside a verify callback leave the caller's events to it. */
#include "common.h"

static SSL *client_ssl, *server_ssl;
static char labels[2][16][48];
static int nlabels[2], unknown;
static const char *which_cb;

static void keylog(const SSL *s, const char *line)
{
    int side = s == client_ssl ? 0 : s == server_ssl ? 1 : -1;
    if (side < 0) {
        unknown++;
        return;
    }
    if (SSL_is_server(s) != side)
        printf("keylog: SSL_is_server=%d for side %d\n", SSL_is_server(s), side);
    if (nlabels[side] < 16)
        sscanf(line, "%47s", labels[side][nlabels[side]++]);
}

static void keylog_b(const SSL *s, const char *line)
{
    which_cb = "B";
    keylog(s, line);
}

static int cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void print_labels(void)
{
    for (int side = 0; side < 2; side++) {
        qsort(labels[side], nlabels[side], sizeof(labels[side][0]), cmp);
        printf("%s keylog %d lines:", side ? "server" : "client", nlabels[side]);
        for (int i = 0; i < nlabels[side]; i++)
            printf(" %s", labels[side][i]);
        printf("\n");
    }
    printf("keylog lines for an unknown SSL: %d\n", unknown);
    nlabels[0] = nlabels[1] = unknown = 0;
}

static int export(SSL *s, unsigned char *out, size_t n, const char *label, const char *ctx,
                  size_t ctxlen, int use)
{
    return SSL_export_keying_material(s, out, n, label, strlen(label),
                                      (const unsigned char *)ctx, ctxlen, use);
}

static void exporter(SSL *c, SSL *s, int version)
{
    unsigned char big[64], a[64], b[64], e1[32], e2[32], d[32];
    int rc, rs;
    rc = export(c, big, sizeof(big), "EXPORTER-test", "context", 7, 1);
    rs = export(s, b, sizeof(b), "EXPORTER-test", "context", 7, 1);
    printf("with context: client=%d server=%d len=%zu equal=%d\n", rc, rs, sizeof(big),
           memcmp(big, b, sizeof(big)) == 0);
    rc = export(c, a, 20, "EXPORTER-test", NULL, 0, 0);
    rs = export(s, b, 20, "EXPORTER-test", NULL, 0, 0);
    printf("no context: client=%d server=%d len=20 equal=%d\n", rc, rs, memcmp(a, b, 20) == 0);
    rc = export(c, e1, sizeof(e1), "EXPORTER-test", "", 0, 0);
    rs = export(c, e2, sizeof(e2), "EXPORTER-test", "", 0, 1);
    printf("none vs empty context: %d %d equal=%d (TLS 1.3: equal)\n", rc, rs,
           memcmp(e1, e2, sizeof(e1)) == 0);
    export(c, d, sizeof(d), "EXPORTER-other", "context", 7, 1);
    export(c, e1, sizeof(e1), "EXPORTER-test", "context", 7, 1);
    printf("another label differs=%d\n", memcmp(d, e1, sizeof(d)) != 0);
    export(c, d, sizeof(d), "EXPORTER-test", "contexu", 7, 1);
    printf("another context differs=%d\n", memcmp(d, e1, sizeof(d)) != 0);
    printf("32 bytes are the first of 64: %d (TLS 1.2 only)\n", memcmp(big, e1, 32) == 0);
    rc = export(c, d, sizeof(d), "master secret", NULL, 0, 0);
    printf("reserved label: %d (%s)\n", rc, version == TLS1_3_VERSION ? "TLS 1.3" : "TLS 1.2");
    errs("reserved label");
}

static void run(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    unsigned char buf[32];
    printf("== %s\n", version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
    SSL_CTX_set_keylog_callback(cctx, keylog);
    SSL_CTX_set_keylog_callback(sctx, keylog);
    make_pair(cctx, sctx, 0, &client_ssl, &server_ssl, NULL, NULL);
    printf("before the handshake: %d\n", export(client_ssl, buf, sizeof(buf), "EXPORTER-test",
                                                NULL, 0, 0));
    errs("before");
    if (!handshake(client_ssl, server_ssl))
        exit(1);
    print_labels();
    exporter(client_ssl, server_ssl, version);
    SSL_free(client_ssl);
    SSL_free(server_ssl);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static int sni_cb(SSL *s, int *al, void *arg)
{
    (void)al;
    SSL_set_SSL_CTX(s, arg);
    return SSL_TLSEXT_ERR_OK;
}

/* A server whose servername callback switches to a context with another key log callback:
 * the lines made after the switch go to that one, as in OpenSSL. */
static void switched(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL_CTX *other = make_ctx(1, version);
    printf("== switched (%s)\n", version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
    SSL_CTX_set_keylog_callback(sctx, keylog);
    SSL_CTX_set_keylog_callback(other, keylog_b);
    SSL_CTX_set_tlsext_servername_callback(sctx, sni_cb);
    SSL_CTX_set_tlsext_servername_arg(sctx, other);
    which_cb = "A";
    make_pair(cctx, sctx, 0, &client_ssl, &server_ssl, NULL, NULL);
    SSL_set_tlsext_host_name(client_ssl, "localhost");
    if (!handshake(client_ssl, server_ssl))
        exit(1);
    printf("server lines went to %s\n", which_cb);
    print_labels();
    SSL_free(client_ssl);
    SSL_free(server_ssl);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    SSL_CTX_free(other);
}

static void info(const SSL *s, int where, int ret)
{
    (void)ret;
    if (where & (SSL_CB_HANDSHAKE_START | SSL_CB_HANDSHAKE_DONE))
        printf("  info %s: %s\n", s == client_ssl ? "client" : s == server_ssl ? "server" : "?",
               (where & SSL_CB_HANDSHAKE_START) ? "start" : "done");
}

/* Calls on the other connection from inside the client's verify callback: what the
 * client's call queued for its own callbacks stays the client's. */
static int verify_cb(int ok, X509_STORE_CTX *x)
{
    (void)x;
    printf("  verify cb: ok=%d server pending=%d\n", ok, SSL_pending(server_ssl));
    return ok;
}

static void nested(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    printf("== nested calls (%s)\n", version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
    SSL_CTX_set_keylog_callback(cctx, keylog);
    SSL_CTX_set_info_callback(cctx, info);
    SSL_CTX_load_verify_locations(cctx, CERT, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, verify_cb);
    make_pair(cctx, sctx, 0, &client_ssl, &server_ssl, NULL, NULL);
    if (!handshake(client_ssl, server_ssl))
        exit(1);
    print_labels();
    SSL_free(client_ssl);
    SSL_free(server_ssl);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    unsigned char buf[8];
    printf("NULL SSL: %d\n", SSL_export_keying_material(NULL, buf, sizeof(buf), "x", 1, NULL,
                                                         0, 0));
    errs("NULL");
    run(TLS1_3_VERSION);
    run(TLS1_2_VERSION);
    switched(TLS1_3_VERSION);
    switched(TLS1_2_VERSION);
    nested(TLS1_3_VERSION);
    nested(TLS1_2_VERSION);
    errs("end");
    return 0;
}
