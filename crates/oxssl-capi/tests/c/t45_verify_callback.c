/* The verify callback (SSL_CTX_set_verify / SSL_set_verify with a callback): its calls
 * (preverify_ok, depth, error, the current certificate's subject, the chain) for a good
 * chain, an expired leaf (accepted, accepted with the error cleared, refused), an unknown
 * issuer, a wrong host, a verify depth too small, a callback that refuses everything; the
 * SSL reached through SSL_get_ex_data_X509_STORE_CTX_idx, the calls a callback makes on
 * it, SSL_get_verify_result afterwards; a server verifying a client certificate with a
 * per-connection callback; the getters. */
#include "common.h"

enum policy { PREVERIFY, ACCEPT_EXPIRED, ACCEPT_EXPIRED_CLEAR, ACCEPT_ALL, REFUSE_ALL };
static enum policy policy;
static SSL_CTX *expect_ctx;
static int calls;

static int cb(int ok, X509_STORE_CTX *x)
{
    SSL *s = X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx());
    X509 *cur = X509_STORE_CTX_get_current_cert(x);
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(x);
    int err = X509_STORE_CTX_get_error(x), depth = X509_STORE_CTX_get_error_depth(x);
    char subject[256] = "(none)";
    calls++;
    if (cur != NULL)
        X509_NAME_oneline(X509_get_subject_name(cur), subject, sizeof(subject));
    printf("  cb %s: ok=%d depth=%d err=%d subject=%s chain=%d same=%d server=%d ctx=%d\n",
           s ? (const char *)SSL_get_app_data(s) : "(no SSL)", ok, depth, err, subject,
           chain ? sk_X509_num(chain) : -1,
           chain != NULL && depth < sk_X509_num(chain) && sk_X509_value(chain, depth) == cur,
           s ? SSL_is_server(s) : -1, s ? SSL_get_SSL_CTX(s) == expect_ctx : -1);
    if (!ok && err != X509_V_OK)
        printf("    %s\n", X509_verify_cert_error_string(err));
    if (ok && depth == 0) {
        /* A chain of our own: references freed with the stack. */
        STACK_OF(X509) *mine = X509_STORE_CTX_get1_chain(x);
        for (int i = 0; i < sk_X509_num(mine); i++) {
            X509_NAME_oneline(X509_get_subject_name(sk_X509_value(mine, i)), subject,
                              sizeof(subject));
            printf("    chain[%d] %s\n", i, subject);
        }
        sk_X509_pop_free(mine, X509_free);
        printf("    verify depth=%d mode=%d callback=%d\n", SSL_get_verify_depth(s),
               SSL_get_verify_mode(s), SSL_get_verify_callback(s) == cb);
    }
    switch (policy) {
    case ACCEPT_EXPIRED:
        return ok || err == X509_V_ERR_CERT_HAS_EXPIRED;
    case ACCEPT_EXPIRED_CLEAR:
        if (!ok && err == X509_V_ERR_CERT_HAS_EXPIRED) {
            X509_STORE_CTX_set_error(x, X509_V_OK);
            return 1;
        }
        return ok;
    case ACCEPT_ALL:
        return 1;
    case REFUSE_ALL:
        return 0;
    default:
        return ok;
    }
}

static void run(const char *title, int version, const char *server_chain,
                const char *server_key, const char *ca, const char *host, int depth,
                enum policy p)
{
    SSL_CTX *cctx = make_ctx(0, version);
    SSL_CTX *sctx = make_server_ctx(version, server_chain, server_key);
    SSL *c, *s;
    printf("== %s (%s)\n", title, version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
    SSL_CTX_load_verify_locations(cctx, ca, NULL);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, cb);
    if (depth >= 0)
        SSL_CTX_set_verify_depth(cctx, depth);
    policy = p;
    expect_ctx = cctx;
    calls = 0;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_app_data(c, "client");
    SSL_set_app_data(s, "server");
    if (host != NULL)
        SSL_set1_host(c, host);
    int ok = handshake(c, s);
    long vr = SSL_get_verify_result(c);
    printf("ok=%d calls=%d verify_result=%ld (%s)\n", ok, calls, vr,
           X509_verify_cert_error_string(vr));
    errs("client");
    if (!ok)
        report("server after", s, SSL_do_handshake(s));
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

/* A server verifying a client certificate with a callback set on the connection. */
static void client_cert(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    printf("== client certificate (%s)\n", version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2");
    if (SSL_CTX_use_certificate_chain_file(cctx, pki("chain.pem")) != 1
        || SSL_CTX_use_PrivateKey_file(cctx, pki("leaf.key"), SSL_FILETYPE_PEM) != 1)
        printf("client certificate setup failed\n");
    SSL_CTX_load_verify_locations(sctx, pki("root.pem"), NULL);
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_app_data(c, "client");
    SSL_set_app_data(s, "server");
    printf("server callback before=%d\n", SSL_get_verify_callback(s) == cb);
    SSL_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, cb);
    /* NULL keeps the connection's callback, as in OpenSSL. */
    SSL_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    SSL_set_verify_depth(s, 3);
    printf("server callback=%d mode=%d depth=%d ctx callback=%d\n",
           SSL_get_verify_callback(s) == cb, SSL_get_verify_mode(s), SSL_get_verify_depth(s),
           SSL_CTX_get_verify_callback(sctx) == cb);
    policy = PREVERIFY;
    expect_ctx = sctx;
    calls = 0;
    int ok = handshake(c, s);
    printf("ok=%d calls=%d server verify_result=%ld\n", ok, calls, SSL_get_verify_result(s));
    errs("after");
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    int idx = SSL_get_ex_data_X509_STORE_CTX_idx();
    printf("store ctx idx=%d again=%d\n", idx, SSL_get_ex_data_X509_STORE_CTX_idx() == idx);

    /* Getters. */
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    printf("defaults: callback=%d depth=%d\n", SSL_CTX_get_verify_callback(ctx) == NULL,
           SSL_CTX_get_verify_depth(ctx));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, cb);
    SSL_CTX_set_verify_depth(ctx, 4);
    SSL *s = SSL_new(ctx);
    printf("set: ctx callback=%d ssl callback=%d depth=%d/%d mode=%d\n",
           SSL_CTX_get_verify_callback(ctx) == cb, SSL_get_verify_callback(s) == cb,
           SSL_CTX_get_verify_depth(ctx), SSL_get_verify_depth(s), SSL_get_verify_mode(s));
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    printf("cleared: ctx callback=%d ssl callback=%d\n", SSL_CTX_get_verify_callback(ctx) == NULL,
           SSL_get_verify_callback(s) == cb);
    SSL_free(s);
    SSL_CTX_free(ctx);
    /* NULL SSL: no crash, nothing queued. */
    SSL_set_verify(NULL, SSL_VERIFY_PEER, cb);
    SSL_set_verify_depth(NULL, 3);
    printf("NULL: callback=%d depth=%d mode=%d\n", SSL_get_verify_callback(NULL) == NULL,
           SSL_get_verify_depth(NULL), SSL_get_verify_mode(NULL));
    errs("NULL");

    int versions[2] = {TLS1_3_VERSION, TLS1_2_VERSION};
    for (int i = 0; i < 2; i++) {
        int v = versions[i];
        const char *chain = pki("chain.pem"), *key = pki("leaf.key"), *root = pki("root.pem");
        const char *expired = pki("expired.pem"), *ekey = pki("expired.key");
        run("good chain", v, chain, key, root, "localhost", -1, PREVERIFY);
        run("expired, accepted", v, expired, ekey, root, NULL, -1, ACCEPT_EXPIRED);
        run("expired, accepted and cleared", v, expired, ekey, root, NULL, -1,
            ACCEPT_EXPIRED_CLEAR);
        run("expired, refused", v, expired, ekey, root, NULL, -1, PREVERIFY);
        run("unknown issuer", v, chain, key, CERT, NULL, -1, PREVERIFY);
        run("unknown issuer, accepted", v, chain, key, CERT, NULL, -1, ACCEPT_ALL);
        run("wrong host", v, chain, key, root, "wrong.example", -1, PREVERIFY);
        run("depth 0", v, chain, key, root, NULL, 0, PREVERIFY);
        run("depth 1", v, chain, key, root, NULL, 1, PREVERIFY);
        run("refuse everything", v, chain, key, root, NULL, -1, REFUSE_ALL);
        client_cert(v);
    }
    errs("end");
    return 0;
}
