//! OpenSSL's `SSL_R_*` reason codes (the values of OpenSSL 3's `sslerr.h`), so errors from the
//! Rust API and the C ABI carry the numbers existing programs test for with `ERR_GET_REASON`.

/// A reason code as `ERR_GET_REASON` returns it for library `ERR_LIB_SSL` (20).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Reason(pub i32);

#[allow(missing_docs)]
impl Reason {
    pub const APPLICATION_DATA_AFTER_CLOSE_NOTIFY: Reason = Reason(291);
    pub const APP_DATA_IN_HANDSHAKE: Reason = Reason(100);
    pub const ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT: Reason = Reason(272);
    pub const AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE: Reason = Reason(158);
    pub const BAD_CHANGE_CIPHER_SPEC: Reason = Reason(103);
    pub const BAD_CIPHER: Reason = Reason(186);
    pub const BAD_DATA: Reason = Reason(390);
    pub const BAD_DATA_RETURNED_BY_CALLBACK: Reason = Reason(106);
    pub const BAD_DECOMPRESSION: Reason = Reason(107);
    pub const BAD_DH_VALUE: Reason = Reason(102);
    pub const BAD_DIGEST_LENGTH: Reason = Reason(111);
    pub const BAD_EARLY_DATA: Reason = Reason(233);
    pub const BAD_ECC_CERT: Reason = Reason(304);
    pub const BAD_ECPOINT: Reason = Reason(306);
    pub const BAD_EXTENSION: Reason = Reason(110);
    pub const BAD_HANDSHAKE_LENGTH: Reason = Reason(332);
    pub const BAD_HANDSHAKE_STATE: Reason = Reason(236);
    pub const BAD_HELLO_REQUEST: Reason = Reason(105);
    pub const BAD_HRR_VERSION: Reason = Reason(263);
    pub const BAD_KEY_SHARE: Reason = Reason(108);
    pub const BAD_KEY_UPDATE: Reason = Reason(122);
    pub const BAD_LEGACY_VERSION: Reason = Reason(292);
    pub const BAD_LENGTH: Reason = Reason(271);
    pub const BAD_PACKET: Reason = Reason(240);
    pub const BAD_PACKET_LENGTH: Reason = Reason(115);
    pub const BAD_PROTOCOL_VERSION_NUMBER: Reason = Reason(116);
    pub const BAD_PSK: Reason = Reason(219);
    pub const BAD_PSK_IDENTITY: Reason = Reason(114);
    pub const BAD_RECORD_TYPE: Reason = Reason(443);
    pub const BAD_RSA_ENCRYPT: Reason = Reason(119);
    pub const BAD_SIGNATURE: Reason = Reason(123);
    pub const BAD_SRP_A_LENGTH: Reason = Reason(347);
    pub const BAD_SRP_PARAMETERS: Reason = Reason(371);
    pub const BAD_SRTP_MKI_VALUE: Reason = Reason(352);
    pub const BAD_SRTP_PROTECTION_PROFILE_LIST: Reason = Reason(353);
    pub const BAD_SSL_FILETYPE: Reason = Reason(124);
    pub const BAD_VALUE: Reason = Reason(384);
    pub const BAD_WRITE_RETRY: Reason = Reason(127);
    pub const BINDER_DOES_NOT_VERIFY: Reason = Reason(253);
    pub const BIO_NOT_SET: Reason = Reason(128);
    pub const BLOCK_CIPHER_PAD_IS_WRONG: Reason = Reason(129);
    pub const BN_LIB: Reason = Reason(130);
    pub const CALLBACK_FAILED: Reason = Reason(234);
    pub const CANNOT_CHANGE_CIPHER: Reason = Reason(109);
    pub const CANNOT_GET_GROUP_NAME: Reason = Reason(299);
    pub const CA_DN_LENGTH_MISMATCH: Reason = Reason(131);
    pub const CA_KEY_TOO_SMALL: Reason = Reason(397);
    pub const CA_MD_TOO_WEAK: Reason = Reason(398);
    pub const CCS_RECEIVED_EARLY: Reason = Reason(133);
    pub const CERTIFICATE_VERIFY_FAILED: Reason = Reason(134);
    pub const CERT_CB_ERROR: Reason = Reason(377);
    pub const CERT_LENGTH_MISMATCH: Reason = Reason(135);
    pub const CIPHERSUITE_DIGEST_HAS_CHANGED: Reason = Reason(218);
    pub const CIPHER_CODE_WRONG_LENGTH: Reason = Reason(137);
    pub const CLIENTHELLO_TLSEXT: Reason = Reason(226);
    pub const COMPRESSED_LENGTH_TOO_LONG: Reason = Reason(140);
    pub const COMPRESSION_DISABLED: Reason = Reason(343);
    pub const COMPRESSION_FAILURE: Reason = Reason(141);
    pub const COMPRESSION_ID_NOT_WITHIN_PRIVATE_RANGE: Reason = Reason(307);
    pub const COMPRESSION_LIBRARY_ERROR: Reason = Reason(142);
    pub const CONNECTION_TYPE_NOT_SET: Reason = Reason(144);
    pub const CONTEXT_NOT_DANE_ENABLED: Reason = Reason(167);
    pub const COOKIE_GEN_CALLBACK_FAILURE: Reason = Reason(400);
    pub const COOKIE_MISMATCH: Reason = Reason(308);
    pub const COPY_PARAMETERS_FAILED: Reason = Reason(296);
    pub const CUSTOM_EXT_HANDLER_ALREADY_INSTALLED: Reason = Reason(206);
    pub const DANE_ALREADY_ENABLED: Reason = Reason(172);
    pub const DANE_CANNOT_OVERRIDE_MTYPE_FULL: Reason = Reason(173);
    pub const DANE_NOT_ENABLED: Reason = Reason(175);
    pub const DANE_TLSA_BAD_CERTIFICATE: Reason = Reason(180);
    pub const DANE_TLSA_BAD_CERTIFICATE_USAGE: Reason = Reason(184);
    pub const DANE_TLSA_BAD_DATA_LENGTH: Reason = Reason(189);
    pub const DANE_TLSA_BAD_DIGEST_LENGTH: Reason = Reason(192);
    pub const DANE_TLSA_BAD_MATCHING_TYPE: Reason = Reason(200);
    pub const DANE_TLSA_BAD_PUBLIC_KEY: Reason = Reason(201);
    pub const DANE_TLSA_BAD_SELECTOR: Reason = Reason(202);
    pub const DANE_TLSA_NULL_DATA: Reason = Reason(203);
    pub const DATA_BETWEEN_CCS_AND_FINISHED: Reason = Reason(145);
    pub const DATA_LENGTH_TOO_LONG: Reason = Reason(146);
    pub const DECRYPTION_FAILED: Reason = Reason(147);
    pub const DECRYPTION_FAILED_OR_BAD_RECORD_MAC: Reason = Reason(281);
    pub const DH_KEY_TOO_SMALL: Reason = Reason(394);
    pub const DH_PUBLIC_VALUE_LENGTH_IS_WRONG: Reason = Reason(148);
    pub const DIGEST_CHECK_FAILED: Reason = Reason(149);
    pub const DTLS_MESSAGE_TOO_BIG: Reason = Reason(334);
    pub const DUPLICATE_COMPRESSION_ID: Reason = Reason(309);
    pub const ECC_CERT_NOT_FOR_SIGNING: Reason = Reason(318);
    pub const ECDH_REQUIRED_FOR_SUITEB_MODE: Reason = Reason(374);
    pub const EE_KEY_TOO_SMALL: Reason = Reason(399);
    pub const EMPTY_SRTP_PROTECTION_PROFILE_LIST: Reason = Reason(354);
    pub const ENCRYPTED_LENGTH_TOO_LONG: Reason = Reason(150);
    pub const ERROR_IN_RECEIVED_CIPHER_LIST: Reason = Reason(151);
    pub const ERROR_SETTING_TLSA_BASE_DOMAIN: Reason = Reason(204);
    pub const EXCEEDS_MAX_FRAGMENT_SIZE: Reason = Reason(194);
    pub const EXCESSIVE_MESSAGE_SIZE: Reason = Reason(152);
    pub const EXTENSION_NOT_RECEIVED: Reason = Reason(279);
    pub const EXTRA_DATA_IN_MESSAGE: Reason = Reason(153);
    pub const EXT_LENGTH_MISMATCH: Reason = Reason(163);
    pub const FAILED_TO_INIT_ASYNC: Reason = Reason(405);
    pub const FRAGMENTED_CLIENT_HELLO: Reason = Reason(401);
    pub const GOT_A_FIN_BEFORE_A_CCS: Reason = Reason(154);
    pub const HTTPS_PROXY_REQUEST: Reason = Reason(155);
    pub const HTTP_REQUEST: Reason = Reason(156);
    pub const ILLEGAL_POINT_COMPRESSION: Reason = Reason(162);
    pub const ILLEGAL_SUITEB_DIGEST: Reason = Reason(380);
    pub const INAPPROPRIATE_FALLBACK: Reason = Reason(373);
    pub const INCONSISTENT_COMPRESSION: Reason = Reason(340);
    pub const INCONSISTENT_EARLY_DATA_ALPN: Reason = Reason(222);
    pub const INCONSISTENT_EARLY_DATA_SNI: Reason = Reason(231);
    pub const INCONSISTENT_EXTMS: Reason = Reason(104);
    pub const INSUFFICIENT_SECURITY: Reason = Reason(241);
    pub const INVALID_ALERT: Reason = Reason(205);
    pub const INVALID_CCS_MESSAGE: Reason = Reason(260);
    pub const INVALID_CERTIFICATE_OR_ALG: Reason = Reason(238);
    pub const INVALID_COMMAND: Reason = Reason(280);
    pub const INVALID_COMPRESSION_ALGORITHM: Reason = Reason(341);
    pub const INVALID_CONFIG: Reason = Reason(283);
    pub const INVALID_CONFIGURATION_NAME: Reason = Reason(113);
    pub const INVALID_CONTEXT: Reason = Reason(282);
    pub const INVALID_CT_VALIDATION_TYPE: Reason = Reason(212);
    pub const INVALID_KEY_UPDATE_TYPE: Reason = Reason(120);
    pub const INVALID_MAX_EARLY_DATA: Reason = Reason(174);
    pub const INVALID_NULL_CMD_NAME: Reason = Reason(385);
    pub const INVALID_SEQUENCE_NUMBER: Reason = Reason(402);
    pub const INVALID_SERVERINFO_DATA: Reason = Reason(388);
    pub const INVALID_SESSION_ID: Reason = Reason(999);
    pub const INVALID_SRP_USERNAME: Reason = Reason(357);
    pub const INVALID_STATUS_RESPONSE: Reason = Reason(328);
    pub const INVALID_TICKET_KEYS_LENGTH: Reason = Reason(325);
    pub const LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED: Reason = Reason(333);
    pub const LENGTH_MISMATCH: Reason = Reason(159);
    pub const LENGTH_TOO_LONG: Reason = Reason(404);
    pub const LENGTH_TOO_SHORT: Reason = Reason(160);
    pub const LIBRARY_BUG: Reason = Reason(274);
    pub const LIBRARY_HAS_NO_CIPHERS: Reason = Reason(161);
    pub const MISSING_DSA_SIGNING_CERT: Reason = Reason(165);
    pub const MISSING_ECDSA_SIGNING_CERT: Reason = Reason(381);
    pub const MISSING_FATAL: Reason = Reason(256);
    pub const MISSING_PARAMETERS: Reason = Reason(290);
    pub const MISSING_PSK_KEX_MODES_EXTENSION: Reason = Reason(310);
    pub const MISSING_RSA_CERTIFICATE: Reason = Reason(168);
    pub const MISSING_RSA_ENCRYPTING_CERT: Reason = Reason(169);
    pub const MISSING_RSA_SIGNING_CERT: Reason = Reason(170);
    pub const MISSING_SIGALGS_EXTENSION: Reason = Reason(112);
    pub const MISSING_SIGNING_CERT: Reason = Reason(221);
    pub const MISSING_SRP_PARAM: Reason = Reason(358);
    pub const MISSING_SUPPORTED_GROUPS_EXTENSION: Reason = Reason(209);
    pub const MISSING_TMP_DH_KEY: Reason = Reason(171);
    pub const MISSING_TMP_ECDH_KEY: Reason = Reason(311);
    pub const MIXED_HANDSHAKE_AND_NON_HANDSHAKE_DATA: Reason = Reason(293);
    pub const NOT_ON_RECORD_BOUNDARY: Reason = Reason(182);
    pub const NOT_REPLACING_CERTIFICATE: Reason = Reason(289);
    pub const NOT_SERVER: Reason = Reason(284);
    pub const NO_APPLICATION_PROTOCOL: Reason = Reason(235);
    pub const NO_CERTIFICATES_RETURNED: Reason = Reason(176);
    pub const NO_CERTIFICATE_ASSIGNED: Reason = Reason(177);
    pub const NO_CERTIFICATE_SET: Reason = Reason(179);
    pub const NO_CHANGE_FOLLOWING_HRR: Reason = Reason(214);
    pub const NO_CIPHERS_AVAILABLE: Reason = Reason(181);
    pub const NO_CIPHERS_SPECIFIED: Reason = Reason(183);
    pub const NO_CIPHER_MATCH: Reason = Reason(185);
    pub const NO_CLIENT_CERT_METHOD: Reason = Reason(331);
    pub const NO_COMPRESSION_SPECIFIED: Reason = Reason(187);
    pub const NO_COOKIE_CALLBACK_SET: Reason = Reason(287);
    pub const NO_GOST_CERTIFICATE_SENT_BY_PEER: Reason = Reason(330);
    pub const NO_METHOD_SPECIFIED: Reason = Reason(188);
    pub const NO_PEM_EXTENSIONS: Reason = Reason(389);
    pub const NO_PRIVATE_KEY_ASSIGNED: Reason = Reason(190);
    pub const NO_PROTOCOLS_AVAILABLE: Reason = Reason(191);
    pub const NO_RENEGOTIATION: Reason = Reason(339);
    pub const NO_REQUIRED_DIGEST: Reason = Reason(324);
    pub const NO_SHARED_CIPHER: Reason = Reason(193);
    pub const NO_SHARED_GROUPS: Reason = Reason(410);
    pub const NO_SHARED_SIGNATURE_ALGORITHMS: Reason = Reason(376);
    pub const NO_SRTP_PROFILES: Reason = Reason(359);
    pub const NO_SUITABLE_DIGEST_ALGORITHM: Reason = Reason(297);
    pub const NO_SUITABLE_GROUPS: Reason = Reason(295);
    pub const NO_SUITABLE_KEY_SHARE: Reason = Reason(101);
    pub const NO_SUITABLE_SIGNATURE_ALGORITHM: Reason = Reason(118);
    pub const NO_VALID_SCTS: Reason = Reason(216);
    pub const NO_VERIFY_COOKIE_CALLBACK: Reason = Reason(403);
    pub const NULL_SSL_CTX: Reason = Reason(195);
    pub const NULL_SSL_METHOD_PASSED: Reason = Reason(196);
    pub const OCSP_CALLBACK_FAILURE: Reason = Reason(305);
    pub const OLD_SESSION_CIPHER_NOT_RETURNED: Reason = Reason(197);
    pub const OLD_SESSION_COMPRESSION_ALGORITHM_NOT_RETURNED: Reason = Reason(344);
    pub const OVERFLOW_ERROR: Reason = Reason(237);
    pub const PACKET_LENGTH_TOO_LONG: Reason = Reason(198);
    pub const PARSE_TLSEXT: Reason = Reason(227);
    pub const PATH_TOO_LONG: Reason = Reason(270);
    pub const PEER_DID_NOT_RETURN_A_CERTIFICATE: Reason = Reason(199);
    pub const PEM_NAME_BAD_PREFIX: Reason = Reason(391);
    pub const PEM_NAME_TOO_SHORT: Reason = Reason(392);
    pub const PIPELINE_FAILURE: Reason = Reason(406);
    pub const POST_HANDSHAKE_AUTH_ENCODING_ERR: Reason = Reason(278);
    pub const PRIVATE_KEY_MISMATCH: Reason = Reason(288);
    pub const PROTOCOL_IS_SHUTDOWN: Reason = Reason(207);
    pub const PSK_IDENTITY_NOT_FOUND: Reason = Reason(223);
    pub const PSK_NO_CLIENT_CB: Reason = Reason(224);
    pub const PSK_NO_SERVER_CB: Reason = Reason(225);
    pub const READ_BIO_NOT_SET: Reason = Reason(211);
    pub const READ_TIMEOUT_EXPIRED: Reason = Reason(312);
    pub const RECORD_LENGTH_MISMATCH: Reason = Reason(213);
    pub const RECORD_TOO_SMALL: Reason = Reason(298);
    pub const RENEGOTIATE_EXT_TOO_LONG: Reason = Reason(335);
    pub const RENEGOTIATION_ENCODING_ERR: Reason = Reason(336);
    pub const RENEGOTIATION_MISMATCH: Reason = Reason(337);
    pub const REQUEST_PENDING: Reason = Reason(285);
    pub const REQUEST_SENT: Reason = Reason(286);
    pub const REQUIRED_CIPHER_MISSING: Reason = Reason(215);
    pub const REQUIRED_COMPRESSION_ALGORITHM_MISSING: Reason = Reason(342);
    pub const SCSV_RECEIVED_WHEN_RENEGOTIATING: Reason = Reason(345);
    pub const SCT_VERIFICATION_FAILED: Reason = Reason(208);
    pub const SERVERHELLO_TLSEXT: Reason = Reason(275);
    pub const SESSION_ID_CONTEXT_UNINITIALIZED: Reason = Reason(277);
    pub const SHUTDOWN_WHILE_IN_INIT: Reason = Reason(407);
    pub const SIGNATURE_ALGORITHMS_ERROR: Reason = Reason(360);
    pub const SIGNATURE_FOR_NON_SIGNING_CERTIFICATE: Reason = Reason(220);
    pub const SRP_A_CALC: Reason = Reason(361);
    pub const SRTP_COULD_NOT_ALLOCATE_PROFILES: Reason = Reason(362);
    pub const SRTP_PROTECTION_PROFILE_LIST_TOO_LONG: Reason = Reason(363);
    pub const SRTP_UNKNOWN_PROTECTION_PROFILE: Reason = Reason(364);
    pub const SSL3_EXT_INVALID_MAX_FRAGMENT_LENGTH: Reason = Reason(232);
    pub const SSL3_EXT_INVALID_SERVERNAME: Reason = Reason(319);
    pub const SSL3_EXT_INVALID_SERVERNAME_TYPE: Reason = Reason(320);
    pub const SSL3_SESSION_ID_TOO_LONG: Reason = Reason(300);
    pub const SSLV3_ALERT_BAD_CERTIFICATE: Reason = Reason(1042);
    pub const SSLV3_ALERT_BAD_RECORD_MAC: Reason = Reason(1020);
    pub const SSLV3_ALERT_CERTIFICATE_EXPIRED: Reason = Reason(1045);
    pub const SSLV3_ALERT_CERTIFICATE_REVOKED: Reason = Reason(1044);
    pub const SSLV3_ALERT_CERTIFICATE_UNKNOWN: Reason = Reason(1046);
    pub const SSLV3_ALERT_DECOMPRESSION_FAILURE: Reason = Reason(1030);
    pub const SSLV3_ALERT_HANDSHAKE_FAILURE: Reason = Reason(1040);
    pub const SSLV3_ALERT_ILLEGAL_PARAMETER: Reason = Reason(1047);
    pub const SSLV3_ALERT_NO_CERTIFICATE: Reason = Reason(1041);
    pub const SSLV3_ALERT_UNEXPECTED_MESSAGE: Reason = Reason(1010);
    pub const SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: Reason = Reason(1043);
    pub const SSL_COMMAND_SECTION_EMPTY: Reason = Reason(117);
    pub const SSL_COMMAND_SECTION_NOT_FOUND: Reason = Reason(125);
    pub const SSL_CTX_HAS_NO_DEFAULT_SSL_VERSION: Reason = Reason(228);
    pub const SSL_HANDSHAKE_FAILURE: Reason = Reason(229);
    pub const SSL_LIBRARY_HAS_NO_CIPHERS: Reason = Reason(230);
    pub const SSL_NEGATIVE_LENGTH: Reason = Reason(372);
    pub const SSL_SECTION_EMPTY: Reason = Reason(126);
    pub const SSL_SECTION_NOT_FOUND: Reason = Reason(136);
    pub const SSL_SESSION_ID_CALLBACK_FAILED: Reason = Reason(301);
    pub const SSL_SESSION_ID_CONFLICT: Reason = Reason(302);
    pub const SSL_SESSION_ID_CONTEXT_TOO_LONG: Reason = Reason(273);
    pub const SSL_SESSION_ID_HAS_BAD_LENGTH: Reason = Reason(303);
    pub const SSL_SESSION_ID_TOO_LONG: Reason = Reason(408);
    pub const SSL_SESSION_VERSION_MISMATCH: Reason = Reason(210);
    pub const STILL_IN_INIT: Reason = Reason(121);
    pub const TLSV13_ALERT_CERTIFICATE_REQUIRED: Reason = Reason(1116);
    pub const TLSV13_ALERT_MISSING_EXTENSION: Reason = Reason(1109);
    pub const TLSV1_ALERT_ACCESS_DENIED: Reason = Reason(1049);
    pub const TLSV1_ALERT_DECODE_ERROR: Reason = Reason(1050);
    pub const TLSV1_ALERT_DECRYPTION_FAILED: Reason = Reason(1021);
    pub const TLSV1_ALERT_DECRYPT_ERROR: Reason = Reason(1051);
    pub const TLSV1_ALERT_EXPORT_RESTRICTION: Reason = Reason(1060);
    pub const TLSV1_ALERT_INAPPROPRIATE_FALLBACK: Reason = Reason(1086);
    pub const TLSV1_ALERT_INSUFFICIENT_SECURITY: Reason = Reason(1071);
    pub const TLSV1_ALERT_INTERNAL_ERROR: Reason = Reason(1080);
    pub const TLSV1_ALERT_NO_APPLICATION_PROTOCOL: Reason = Reason(1120);
    pub const TLSV1_ALERT_NO_RENEGOTIATION: Reason = Reason(1100);
    pub const TLSV1_ALERT_PROTOCOL_VERSION: Reason = Reason(1070);
    pub const TLSV1_ALERT_RECORD_OVERFLOW: Reason = Reason(1022);
    pub const TLSV1_ALERT_UNKNOWN_CA: Reason = Reason(1048);
    pub const TLSV1_ALERT_UNKNOWN_PSK_IDENTITY: Reason = Reason(1115);
    pub const TLSV1_ALERT_USER_CANCELLED: Reason = Reason(1090);
    pub const TLSV1_BAD_CERTIFICATE_HASH_VALUE: Reason = Reason(1114);
    pub const TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE: Reason = Reason(1113);
    pub const TLSV1_CERTIFICATE_UNOBTAINABLE: Reason = Reason(1111);
    pub const TLSV1_UNRECOGNIZED_NAME: Reason = Reason(1112);
    pub const TLSV1_UNSUPPORTED_EXTENSION: Reason = Reason(1110);
    pub const TLS_ILLEGAL_EXPORTER_LABEL: Reason = Reason(367);
    pub const TLS_INVALID_ECPOINTFORMAT_LIST: Reason = Reason(157);
    pub const TOO_MANY_KEY_UPDATES: Reason = Reason(132);
    pub const TOO_MANY_WARN_ALERTS: Reason = Reason(409);
    pub const TOO_MUCH_EARLY_DATA: Reason = Reason(164);
    pub const UNABLE_TO_FIND_ECDH_PARAMETERS: Reason = Reason(314);
    pub const UNABLE_TO_FIND_PUBLIC_KEY_PARAMETERS: Reason = Reason(239);
    pub const UNABLE_TO_LOAD_SSL3_MD5_ROUTINES: Reason = Reason(242);
    pub const UNABLE_TO_LOAD_SSL3_SHA1_ROUTINES: Reason = Reason(243);
    pub const UNEXPECTED_CCS_MESSAGE: Reason = Reason(262);
    pub const UNEXPECTED_END_OF_EARLY_DATA: Reason = Reason(178);
    pub const UNEXPECTED_EOF_WHILE_READING: Reason = Reason(294);
    pub const UNEXPECTED_MESSAGE: Reason = Reason(244);
    pub const UNEXPECTED_RECORD: Reason = Reason(245);
    pub const UNINITIALIZED: Reason = Reason(276);
    pub const UNKNOWN_ALERT_TYPE: Reason = Reason(246);
    pub const UNKNOWN_CERTIFICATE_TYPE: Reason = Reason(247);
    pub const UNKNOWN_CIPHER_RETURNED: Reason = Reason(248);
    pub const UNKNOWN_CIPHER_TYPE: Reason = Reason(249);
    pub const UNKNOWN_CMD_NAME: Reason = Reason(386);
    pub const UNKNOWN_COMMAND: Reason = Reason(139);
    pub const UNKNOWN_DIGEST: Reason = Reason(368);
    pub const UNKNOWN_KEY_EXCHANGE_TYPE: Reason = Reason(250);
    pub const UNKNOWN_PKEY_TYPE: Reason = Reason(251);
    pub const UNKNOWN_PROTOCOL: Reason = Reason(252);
    pub const UNKNOWN_SSL_VERSION: Reason = Reason(254);
    pub const UNKNOWN_STATE: Reason = Reason(255);
    pub const UNSAFE_LEGACY_RENEGOTIATION_DISABLED: Reason = Reason(338);
    pub const UNSOLICITED_EXTENSION: Reason = Reason(217);
    pub const UNSUPPORTED_COMPRESSION_ALGORITHM: Reason = Reason(257);
    pub const UNSUPPORTED_ELLIPTIC_CURVE: Reason = Reason(315);
    pub const UNSUPPORTED_PROTOCOL: Reason = Reason(258);
    pub const UNSUPPORTED_SSL_VERSION: Reason = Reason(259);
    pub const UNSUPPORTED_STATUS_TYPE: Reason = Reason(329);
    pub const USE_SRTP_NOT_NEGOTIATED: Reason = Reason(369);
    pub const VERSION_TOO_HIGH: Reason = Reason(166);
    pub const VERSION_TOO_LOW: Reason = Reason(396);
    pub const WRONG_CERTIFICATE_TYPE: Reason = Reason(383);
    pub const WRONG_CIPHER_RETURNED: Reason = Reason(261);
    pub const WRONG_CURVE: Reason = Reason(378);
    pub const WRONG_SIGNATURE_LENGTH: Reason = Reason(264);
    pub const WRONG_SIGNATURE_SIZE: Reason = Reason(265);
    pub const WRONG_SIGNATURE_TYPE: Reason = Reason(370);
    pub const WRONG_SSL_VERSION: Reason = Reason(266);
    pub const WRONG_VERSION_NUMBER: Reason = Reason(267);
    pub const X509_LIB: Reason = Reason(268);
    pub const X509_VERIFICATION_SETUP_PROBLEMS: Reason = Reason(269);
}

/// OpenSSL's common reasons (`ERR_R_*`) that the SSL library also reports.
impl Reason {
    /// `ERR_R_INTERNAL_ERROR`: 259 with the fatal and common flags (`ERR_RFLAGS_OFFSET` 18).
    pub const INTERNAL_ERROR: Reason = Reason(259 | (3 << 18));
    /// `ERR_R_PASSED_INVALID_ARGUMENT`: 262 with the common flag.
    pub const PASSED_INVALID_ARGUMENT: Reason = Reason(262 | (2 << 18));
    /// `ERR_R_SYS_LIB`: a system call failed (errno holds the cause).
    pub const SYS_LIB: Reason = Reason(2 | (2 << 18));
    /// `ERR_R_SHOULD_NOT_HAVE_BEEN_CALLED`: 66 with the common flag (what
    /// `SSL_write_early_data` reports when early data cannot be written).
    pub const SHOULD_NOT_HAVE_BEEN_CALLED: Reason = Reason(66 | (2 << 18));
}

/// `(code, name)` for every known reason, sorted by code.
static TABLE: &[(i32, &str)] = &[
    (100, "APP_DATA_IN_HANDSHAKE"),
    (101, "NO_SUITABLE_KEY_SHARE"),
    (102, "BAD_DH_VALUE"),
    (103, "BAD_CHANGE_CIPHER_SPEC"),
    (104, "INCONSISTENT_EXTMS"),
    (105, "BAD_HELLO_REQUEST"),
    (106, "BAD_DATA_RETURNED_BY_CALLBACK"),
    (107, "BAD_DECOMPRESSION"),
    (108, "BAD_KEY_SHARE"),
    (109, "CANNOT_CHANGE_CIPHER"),
    (110, "BAD_EXTENSION"),
    (111, "BAD_DIGEST_LENGTH"),
    (112, "MISSING_SIGALGS_EXTENSION"),
    (113, "INVALID_CONFIGURATION_NAME"),
    (114, "BAD_PSK_IDENTITY"),
    (115, "BAD_PACKET_LENGTH"),
    (116, "BAD_PROTOCOL_VERSION_NUMBER"),
    (117, "SSL_COMMAND_SECTION_EMPTY"),
    (118, "NO_SUITABLE_SIGNATURE_ALGORITHM"),
    (119, "BAD_RSA_ENCRYPT"),
    (120, "INVALID_KEY_UPDATE_TYPE"),
    (121, "STILL_IN_INIT"),
    (122, "BAD_KEY_UPDATE"),
    (123, "BAD_SIGNATURE"),
    (124, "BAD_SSL_FILETYPE"),
    (125, "SSL_COMMAND_SECTION_NOT_FOUND"),
    (126, "SSL_SECTION_EMPTY"),
    (127, "BAD_WRITE_RETRY"),
    (128, "BIO_NOT_SET"),
    (129, "BLOCK_CIPHER_PAD_IS_WRONG"),
    (130, "BN_LIB"),
    (131, "CA_DN_LENGTH_MISMATCH"),
    (132, "TOO_MANY_KEY_UPDATES"),
    (133, "CCS_RECEIVED_EARLY"),
    (134, "CERTIFICATE_VERIFY_FAILED"),
    (135, "CERT_LENGTH_MISMATCH"),
    (136, "SSL_SECTION_NOT_FOUND"),
    (137, "CIPHER_CODE_WRONG_LENGTH"),
    (139, "UNKNOWN_COMMAND"),
    (140, "COMPRESSED_LENGTH_TOO_LONG"),
    (141, "COMPRESSION_FAILURE"),
    (142, "COMPRESSION_LIBRARY_ERROR"),
    (144, "CONNECTION_TYPE_NOT_SET"),
    (145, "DATA_BETWEEN_CCS_AND_FINISHED"),
    (146, "DATA_LENGTH_TOO_LONG"),
    (147, "DECRYPTION_FAILED"),
    (148, "DH_PUBLIC_VALUE_LENGTH_IS_WRONG"),
    (149, "DIGEST_CHECK_FAILED"),
    (150, "ENCRYPTED_LENGTH_TOO_LONG"),
    (151, "ERROR_IN_RECEIVED_CIPHER_LIST"),
    (152, "EXCESSIVE_MESSAGE_SIZE"),
    (153, "EXTRA_DATA_IN_MESSAGE"),
    (154, "GOT_A_FIN_BEFORE_A_CCS"),
    (155, "HTTPS_PROXY_REQUEST"),
    (156, "HTTP_REQUEST"),
    (157, "TLS_INVALID_ECPOINTFORMAT_LIST"),
    (158, "AT_LEAST_TLS_1_2_NEEDED_IN_SUITEB_MODE"),
    (159, "LENGTH_MISMATCH"),
    (160, "LENGTH_TOO_SHORT"),
    (161, "LIBRARY_HAS_NO_CIPHERS"),
    (162, "ILLEGAL_POINT_COMPRESSION"),
    (163, "EXT_LENGTH_MISMATCH"),
    (164, "TOO_MUCH_EARLY_DATA"),
    (165, "MISSING_DSA_SIGNING_CERT"),
    (166, "VERSION_TOO_HIGH"),
    (167, "CONTEXT_NOT_DANE_ENABLED"),
    (168, "MISSING_RSA_CERTIFICATE"),
    (169, "MISSING_RSA_ENCRYPTING_CERT"),
    (170, "MISSING_RSA_SIGNING_CERT"),
    (171, "MISSING_TMP_DH_KEY"),
    (172, "DANE_ALREADY_ENABLED"),
    (173, "DANE_CANNOT_OVERRIDE_MTYPE_FULL"),
    (174, "INVALID_MAX_EARLY_DATA"),
    (175, "DANE_NOT_ENABLED"),
    (176, "NO_CERTIFICATES_RETURNED"),
    (177, "NO_CERTIFICATE_ASSIGNED"),
    (178, "UNEXPECTED_END_OF_EARLY_DATA"),
    (179, "NO_CERTIFICATE_SET"),
    (180, "DANE_TLSA_BAD_CERTIFICATE"),
    (181, "NO_CIPHERS_AVAILABLE"),
    (182, "NOT_ON_RECORD_BOUNDARY"),
    (183, "NO_CIPHERS_SPECIFIED"),
    (184, "DANE_TLSA_BAD_CERTIFICATE_USAGE"),
    (185, "NO_CIPHER_MATCH"),
    (186, "BAD_CIPHER"),
    (187, "NO_COMPRESSION_SPECIFIED"),
    (188, "NO_METHOD_SPECIFIED"),
    (189, "DANE_TLSA_BAD_DATA_LENGTH"),
    (190, "NO_PRIVATE_KEY_ASSIGNED"),
    (191, "NO_PROTOCOLS_AVAILABLE"),
    (192, "DANE_TLSA_BAD_DIGEST_LENGTH"),
    (193, "NO_SHARED_CIPHER"),
    (194, "EXCEEDS_MAX_FRAGMENT_SIZE"),
    (195, "NULL_SSL_CTX"),
    (196, "NULL_SSL_METHOD_PASSED"),
    (197, "OLD_SESSION_CIPHER_NOT_RETURNED"),
    (198, "PACKET_LENGTH_TOO_LONG"),
    (199, "PEER_DID_NOT_RETURN_A_CERTIFICATE"),
    (200, "DANE_TLSA_BAD_MATCHING_TYPE"),
    (201, "DANE_TLSA_BAD_PUBLIC_KEY"),
    (202, "DANE_TLSA_BAD_SELECTOR"),
    (203, "DANE_TLSA_NULL_DATA"),
    (204, "ERROR_SETTING_TLSA_BASE_DOMAIN"),
    (205, "INVALID_ALERT"),
    (206, "CUSTOM_EXT_HANDLER_ALREADY_INSTALLED"),
    (207, "PROTOCOL_IS_SHUTDOWN"),
    (208, "SCT_VERIFICATION_FAILED"),
    (209, "MISSING_SUPPORTED_GROUPS_EXTENSION"),
    (210, "SSL_SESSION_VERSION_MISMATCH"),
    (211, "READ_BIO_NOT_SET"),
    (212, "INVALID_CT_VALIDATION_TYPE"),
    (213, "RECORD_LENGTH_MISMATCH"),
    (214, "NO_CHANGE_FOLLOWING_HRR"),
    (215, "REQUIRED_CIPHER_MISSING"),
    (216, "NO_VALID_SCTS"),
    (217, "UNSOLICITED_EXTENSION"),
    (218, "CIPHERSUITE_DIGEST_HAS_CHANGED"),
    (219, "BAD_PSK"),
    (220, "SIGNATURE_FOR_NON_SIGNING_CERTIFICATE"),
    (221, "MISSING_SIGNING_CERT"),
    (222, "INCONSISTENT_EARLY_DATA_ALPN"),
    (223, "PSK_IDENTITY_NOT_FOUND"),
    (224, "PSK_NO_CLIENT_CB"),
    (225, "PSK_NO_SERVER_CB"),
    (226, "CLIENTHELLO_TLSEXT"),
    (227, "PARSE_TLSEXT"),
    (228, "SSL_CTX_HAS_NO_DEFAULT_SSL_VERSION"),
    (229, "SSL_HANDSHAKE_FAILURE"),
    (230, "SSL_LIBRARY_HAS_NO_CIPHERS"),
    (231, "INCONSISTENT_EARLY_DATA_SNI"),
    (232, "SSL3_EXT_INVALID_MAX_FRAGMENT_LENGTH"),
    (233, "BAD_EARLY_DATA"),
    (234, "CALLBACK_FAILED"),
    (235, "NO_APPLICATION_PROTOCOL"),
    (236, "BAD_HANDSHAKE_STATE"),
    (237, "OVERFLOW_ERROR"),
    (238, "INVALID_CERTIFICATE_OR_ALG"),
    (239, "UNABLE_TO_FIND_PUBLIC_KEY_PARAMETERS"),
    (240, "BAD_PACKET"),
    (241, "INSUFFICIENT_SECURITY"),
    (242, "UNABLE_TO_LOAD_SSL3_MD5_ROUTINES"),
    (243, "UNABLE_TO_LOAD_SSL3_SHA1_ROUTINES"),
    (244, "UNEXPECTED_MESSAGE"),
    (245, "UNEXPECTED_RECORD"),
    (246, "UNKNOWN_ALERT_TYPE"),
    (247, "UNKNOWN_CERTIFICATE_TYPE"),
    (248, "UNKNOWN_CIPHER_RETURNED"),
    (249, "UNKNOWN_CIPHER_TYPE"),
    (250, "UNKNOWN_KEY_EXCHANGE_TYPE"),
    (251, "UNKNOWN_PKEY_TYPE"),
    (252, "UNKNOWN_PROTOCOL"),
    (253, "BINDER_DOES_NOT_VERIFY"),
    (254, "UNKNOWN_SSL_VERSION"),
    (255, "UNKNOWN_STATE"),
    (256, "MISSING_FATAL"),
    (257, "UNSUPPORTED_COMPRESSION_ALGORITHM"),
    (258, "UNSUPPORTED_PROTOCOL"),
    (259, "UNSUPPORTED_SSL_VERSION"),
    (260, "INVALID_CCS_MESSAGE"),
    (261, "WRONG_CIPHER_RETURNED"),
    (262, "UNEXPECTED_CCS_MESSAGE"),
    (263, "BAD_HRR_VERSION"),
    (264, "WRONG_SIGNATURE_LENGTH"),
    (265, "WRONG_SIGNATURE_SIZE"),
    (266, "WRONG_SSL_VERSION"),
    (267, "WRONG_VERSION_NUMBER"),
    (268, "X509_LIB"),
    (269, "X509_VERIFICATION_SETUP_PROBLEMS"),
    (270, "PATH_TOO_LONG"),
    (271, "BAD_LENGTH"),
    (272, "ATTEMPT_TO_REUSE_SESSION_IN_DIFFERENT_CONTEXT"),
    (273, "SSL_SESSION_ID_CONTEXT_TOO_LONG"),
    (274, "LIBRARY_BUG"),
    (275, "SERVERHELLO_TLSEXT"),
    (276, "UNINITIALIZED"),
    (277, "SESSION_ID_CONTEXT_UNINITIALIZED"),
    (278, "POST_HANDSHAKE_AUTH_ENCODING_ERR"),
    (279, "EXTENSION_NOT_RECEIVED"),
    (280, "INVALID_COMMAND"),
    (281, "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"),
    (282, "INVALID_CONTEXT"),
    (283, "INVALID_CONFIG"),
    (284, "NOT_SERVER"),
    (285, "REQUEST_PENDING"),
    (286, "REQUEST_SENT"),
    (287, "NO_COOKIE_CALLBACK_SET"),
    (288, "PRIVATE_KEY_MISMATCH"),
    (289, "NOT_REPLACING_CERTIFICATE"),
    (290, "MISSING_PARAMETERS"),
    (291, "APPLICATION_DATA_AFTER_CLOSE_NOTIFY"),
    (292, "BAD_LEGACY_VERSION"),
    (293, "MIXED_HANDSHAKE_AND_NON_HANDSHAKE_DATA"),
    (294, "UNEXPECTED_EOF_WHILE_READING"),
    (295, "NO_SUITABLE_GROUPS"),
    (296, "COPY_PARAMETERS_FAILED"),
    (297, "NO_SUITABLE_DIGEST_ALGORITHM"),
    (298, "RECORD_TOO_SMALL"),
    (299, "CANNOT_GET_GROUP_NAME"),
    (300, "SSL3_SESSION_ID_TOO_LONG"),
    (301, "SSL_SESSION_ID_CALLBACK_FAILED"),
    (302, "SSL_SESSION_ID_CONFLICT"),
    (303, "SSL_SESSION_ID_HAS_BAD_LENGTH"),
    (304, "BAD_ECC_CERT"),
    (305, "OCSP_CALLBACK_FAILURE"),
    (306, "BAD_ECPOINT"),
    (307, "COMPRESSION_ID_NOT_WITHIN_PRIVATE_RANGE"),
    (308, "COOKIE_MISMATCH"),
    (309, "DUPLICATE_COMPRESSION_ID"),
    (310, "MISSING_PSK_KEX_MODES_EXTENSION"),
    (311, "MISSING_TMP_ECDH_KEY"),
    (312, "READ_TIMEOUT_EXPIRED"),
    (314, "UNABLE_TO_FIND_ECDH_PARAMETERS"),
    (315, "UNSUPPORTED_ELLIPTIC_CURVE"),
    (318, "ECC_CERT_NOT_FOR_SIGNING"),
    (319, "SSL3_EXT_INVALID_SERVERNAME"),
    (320, "SSL3_EXT_INVALID_SERVERNAME_TYPE"),
    (324, "NO_REQUIRED_DIGEST"),
    (325, "INVALID_TICKET_KEYS_LENGTH"),
    (328, "INVALID_STATUS_RESPONSE"),
    (329, "UNSUPPORTED_STATUS_TYPE"),
    (330, "NO_GOST_CERTIFICATE_SENT_BY_PEER"),
    (331, "NO_CLIENT_CERT_METHOD"),
    (332, "BAD_HANDSHAKE_LENGTH"),
    (333, "LEGACY_SIGALG_DISALLOWED_OR_UNSUPPORTED"),
    (334, "DTLS_MESSAGE_TOO_BIG"),
    (335, "RENEGOTIATE_EXT_TOO_LONG"),
    (336, "RENEGOTIATION_ENCODING_ERR"),
    (337, "RENEGOTIATION_MISMATCH"),
    (338, "UNSAFE_LEGACY_RENEGOTIATION_DISABLED"),
    (339, "NO_RENEGOTIATION"),
    (340, "INCONSISTENT_COMPRESSION"),
    (341, "INVALID_COMPRESSION_ALGORITHM"),
    (342, "REQUIRED_COMPRESSION_ALGORITHM_MISSING"),
    (343, "COMPRESSION_DISABLED"),
    (344, "OLD_SESSION_COMPRESSION_ALGORITHM_NOT_RETURNED"),
    (345, "SCSV_RECEIVED_WHEN_RENEGOTIATING"),
    (347, "BAD_SRP_A_LENGTH"),
    (352, "BAD_SRTP_MKI_VALUE"),
    (353, "BAD_SRTP_PROTECTION_PROFILE_LIST"),
    (354, "EMPTY_SRTP_PROTECTION_PROFILE_LIST"),
    (357, "INVALID_SRP_USERNAME"),
    (358, "MISSING_SRP_PARAM"),
    (359, "NO_SRTP_PROFILES"),
    (360, "SIGNATURE_ALGORITHMS_ERROR"),
    (361, "SRP_A_CALC"),
    (362, "SRTP_COULD_NOT_ALLOCATE_PROFILES"),
    (363, "SRTP_PROTECTION_PROFILE_LIST_TOO_LONG"),
    (364, "SRTP_UNKNOWN_PROTECTION_PROFILE"),
    (367, "TLS_ILLEGAL_EXPORTER_LABEL"),
    (368, "UNKNOWN_DIGEST"),
    (369, "USE_SRTP_NOT_NEGOTIATED"),
    (370, "WRONG_SIGNATURE_TYPE"),
    (371, "BAD_SRP_PARAMETERS"),
    (372, "SSL_NEGATIVE_LENGTH"),
    (373, "INAPPROPRIATE_FALLBACK"),
    (374, "ECDH_REQUIRED_FOR_SUITEB_MODE"),
    (376, "NO_SHARED_SIGNATURE_ALGORITHMS"),
    (377, "CERT_CB_ERROR"),
    (378, "WRONG_CURVE"),
    (380, "ILLEGAL_SUITEB_DIGEST"),
    (381, "MISSING_ECDSA_SIGNING_CERT"),
    (383, "WRONG_CERTIFICATE_TYPE"),
    (384, "BAD_VALUE"),
    (385, "INVALID_NULL_CMD_NAME"),
    (386, "UNKNOWN_CMD_NAME"),
    (388, "INVALID_SERVERINFO_DATA"),
    (389, "NO_PEM_EXTENSIONS"),
    (390, "BAD_DATA"),
    (391, "PEM_NAME_BAD_PREFIX"),
    (392, "PEM_NAME_TOO_SHORT"),
    (394, "DH_KEY_TOO_SMALL"),
    (396, "VERSION_TOO_LOW"),
    (397, "CA_KEY_TOO_SMALL"),
    (398, "CA_MD_TOO_WEAK"),
    (399, "EE_KEY_TOO_SMALL"),
    (400, "COOKIE_GEN_CALLBACK_FAILURE"),
    (401, "FRAGMENTED_CLIENT_HELLO"),
    (402, "INVALID_SEQUENCE_NUMBER"),
    (403, "NO_VERIFY_COOKIE_CALLBACK"),
    (404, "LENGTH_TOO_LONG"),
    (405, "FAILED_TO_INIT_ASYNC"),
    (406, "PIPELINE_FAILURE"),
    (407, "SHUTDOWN_WHILE_IN_INIT"),
    (408, "SSL_SESSION_ID_TOO_LONG"),
    (409, "TOO_MANY_WARN_ALERTS"),
    (410, "NO_SHARED_GROUPS"),
    (443, "BAD_RECORD_TYPE"),
    (999, "INVALID_SESSION_ID"),
    (1010, "SSLV3_ALERT_UNEXPECTED_MESSAGE"),
    (1020, "SSLV3_ALERT_BAD_RECORD_MAC"),
    (1021, "TLSV1_ALERT_DECRYPTION_FAILED"),
    (1022, "TLSV1_ALERT_RECORD_OVERFLOW"),
    (1030, "SSLV3_ALERT_DECOMPRESSION_FAILURE"),
    (1040, "SSLV3_ALERT_HANDSHAKE_FAILURE"),
    (1041, "SSLV3_ALERT_NO_CERTIFICATE"),
    (1042, "SSLV3_ALERT_BAD_CERTIFICATE"),
    (1043, "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE"),
    (1044, "SSLV3_ALERT_CERTIFICATE_REVOKED"),
    (1045, "SSLV3_ALERT_CERTIFICATE_EXPIRED"),
    (1046, "SSLV3_ALERT_CERTIFICATE_UNKNOWN"),
    (1047, "SSLV3_ALERT_ILLEGAL_PARAMETER"),
    (1048, "TLSV1_ALERT_UNKNOWN_CA"),
    (1049, "TLSV1_ALERT_ACCESS_DENIED"),
    (1050, "TLSV1_ALERT_DECODE_ERROR"),
    (1051, "TLSV1_ALERT_DECRYPT_ERROR"),
    (1060, "TLSV1_ALERT_EXPORT_RESTRICTION"),
    (1070, "TLSV1_ALERT_PROTOCOL_VERSION"),
    (1071, "TLSV1_ALERT_INSUFFICIENT_SECURITY"),
    (1080, "TLSV1_ALERT_INTERNAL_ERROR"),
    (1086, "TLSV1_ALERT_INAPPROPRIATE_FALLBACK"),
    (1090, "TLSV1_ALERT_USER_CANCELLED"),
    (1100, "TLSV1_ALERT_NO_RENEGOTIATION"),
    (1109, "TLSV13_ALERT_MISSING_EXTENSION"),
    (1110, "TLSV1_UNSUPPORTED_EXTENSION"),
    (1111, "TLSV1_CERTIFICATE_UNOBTAINABLE"),
    (1112, "TLSV1_UNRECOGNIZED_NAME"),
    (1113, "TLSV1_BAD_CERTIFICATE_STATUS_RESPONSE"),
    (1114, "TLSV1_BAD_CERTIFICATE_HASH_VALUE"),
    (1115, "TLSV1_ALERT_UNKNOWN_PSK_IDENTITY"),
    (1116, "TLSV13_ALERT_CERTIFICATE_REQUIRED"),
    (1120, "TLSV1_ALERT_NO_APPLICATION_PROTOCOL"),
];

impl Reason {
    /// The `SSL_R_` constant's name without its prefix, e.g. `"BAD_LENGTH"`.
    pub fn name(self) -> Option<&'static str> {
        TABLE
            .binary_search_by_key(&self.0, |&(code, _)| code)
            .ok()
            .map(|i| TABLE[i].1)
    }

    /// [`Reason::text`] as a `&'static str` (the texts are made once per process);
    /// "unknown reason" for a number OpenSSL does not define.
    pub fn static_text(self) -> &'static str {
        static TEXTS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
        let texts = TEXTS.get_or_init(|| {
            TABLE
                .iter()
                .map(|&(code, _)| &*Box::leak(Reason(code).text().into_boxed_str()))
                .collect()
        });
        match TABLE.binary_search_by_key(&self.0, |&(code, _)| code) {
            Ok(i) => texts.get(i).copied().unwrap_or("unknown reason"),
            Err(_) if self == Reason::INTERNAL_ERROR => "internal error",
            Err(_) if self == Reason::PASSED_INVALID_ARGUMENT => "passed invalid argument",
            Err(_) if self == Reason::SYS_LIB => "system lib",
            Err(_) => "unknown reason",
        }
    }

    /// OpenSSL's text for the reason: the name in lower case with spaces, e.g. `"bad length"`.
    pub fn text(self) -> String {
        match self.name() {
            Some(name) => name.to_ascii_lowercase().replace('_', " "),
            None if self == Reason::INTERNAL_ERROR => "internal error".into(),
            None if self == Reason::PASSED_INVALID_ARGUMENT => "passed invalid argument".into(),
            None if self == Reason::SYS_LIB => "system lib".into(),
            None => format!("reason({})", self.0),
        }
    }
}

impl std::fmt::Debug for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.name() {
            Some(n) => write!(f, "SSL_R_{n}({})", self.0),
            None => write!(f, "Reason({})", self.0),
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_texts_match_openssl() {
        assert_eq!(Reason::BAD_LENGTH.0, 271);
        assert_eq!(Reason::BAD_WRITE_RETRY.0, 127);
        assert_eq!(
            Reason::DECRYPTION_FAILED_OR_BAD_RECORD_MAC.text(),
            "decryption failed or bad record mac"
        );
        assert_eq!(Reason(1048).text(), "tlsv1 alert unknown ca");
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
