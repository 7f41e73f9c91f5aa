//! Diesel table definitions, kept in step with `migrations/{sqlite,postgres}` by hand
//! (both backends share one logical schema; see DESIGN.md "Database").

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        email_verified -> Bool,
        name -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        is_admin -> Bool,
        disabled -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
        phone_number -> Nullable<Text>,
        phone_verified -> Bool,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        name -> Text,
        secret_hash -> Nullable<Text>,
        is_public -> Bool,
        allow_implicit -> Bool,
        is_management -> Bool,
        mfa_policy -> Text,
        grant_types -> Text,
        created_at -> BigInt,
        allowed_methods -> Text,
        access_token_ttl -> Nullable<BigInt>,
        id_token_ttl -> Nullable<BigInt>,
        refresh_token_ttl -> Nullable<BigInt>,
        may_request_approvals -> Bool,
        login_ui_origins -> Text,
    }
}

diesel::table! {
    client_branding (client_id) {
        client_id -> Text,
        display_name -> Nullable<Text>,
        accent -> Nullable<Text>,
        privacy_url -> Nullable<Text>,
        terms_url -> Nullable<Text>,
        logo -> Nullable<Binary>,
        logo_content_type -> Nullable<Text>,
        logo_sha256 -> Nullable<Text>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    client_redirect_uris (client_id, kind, uri) {
        client_id -> Text,
        kind -> Text,
        uri -> Text,
    }
}

diesel::table! {
    authz_requests (id) {
        id -> Text,
        client_id -> Text,
        redirect_uri -> Text,
        response_type -> Text,
        response_mode -> Text,
        scope -> Text,
        state -> Nullable<Text>,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        prompt -> Nullable<Text>,
        max_age -> Nullable<BigInt>,
        login_hint -> Nullable<Text>,
        ui_locales -> Nullable<Text>,
        acr_values -> Nullable<Text>,
        view_type -> Text,
        browser_binding -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        completed_at -> Nullable<BigInt>,
        approval_data -> Nullable<Text>,
        approval_id -> Nullable<Text>,
    }
}

diesel::table! {
    auth_codes (id) {
        id -> Text,
        code_hash -> Text,
        client_id -> Text,
        user_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        auth_time -> BigInt,
        amr -> Text,
        acr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    access_tokens (token_hash) {
        token_hash -> Text,
        grant_id -> Nullable<Text>,
        client_id -> Text,
        user_id -> Nullable<Text>,
        scope -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    refresh_tokens (token_hash) {
        token_hash -> Text,
        grant_id -> Text,
        client_id -> Text,
        user_id -> Text,
        scope -> Text,
        auth_time -> BigInt,
        amr -> Text,
        acr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        private_key -> Binary,
        public_jwk -> Text,
        created_at -> BigInt,
        retired_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        value -> Binary,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> Nullable<Text>,
        state -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        last_seen_at -> Nullable<BigInt>,
        user_agent -> Nullable<Text>,
        ip -> Nullable<Text>,
        public_id -> Text,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        at -> BigInt,
        action -> Text,
        outcome -> Text,
        actor -> Nullable<Text>,
        user_id -> Nullable<Text>,
        client_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        detail -> Text,
    }
}

diesel::joinable!(client_redirect_uris -> clients (client_id));
diesel::joinable!(authz_requests -> clients (client_id));
diesel::joinable!(auth_codes -> clients (client_id));
diesel::joinable!(auth_codes -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    clients,
    client_redirect_uris,
    authz_requests,
    auth_codes,
    access_tokens,
    refresh_tokens,
    signing_keys,
    instance_secrets,
    sessions,
    audit_events,
);

diesel::table! {
    authenticators (id) {
        id -> Text,
        user_id -> Text,
        kind -> Text,
        label -> Text,
        secret -> Binary,
        algorithm -> Text,
        digits -> Integer,
        period -> Integer,
        active -> Bool,
        last_used_step -> Nullable<BigInt>,
        failure_count -> Integer,
        locked_until -> Nullable<BigInt>,
        recent_offsets -> Text,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    verifications (status_id) {
        status_id -> Text,
        exchange_id -> Text,
        exchange_expires_at -> BigInt,
        request_id -> Nullable<Text>,
        user_id -> Nullable<Text>,
        alias -> Text,
        method -> Text,
        usage_type -> Text,
        medium_id -> Nullable<Text>,
        state -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(authenticators -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(authenticators, users, verifications);

diesel::table! {
    login_tracks (id) {
        id -> Text,
        request_id -> Text,
        user_id -> Text,
        alias -> Text,
        amr -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        completed_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    backup_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        created_at -> BigInt,
        used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    revoked_grants (grant_id) {
        grant_id -> Text,
        revoked_at -> BigInt,
    }
}

diesel::table! {
    one_time_codes (id) {
        id -> Text,
        purpose -> Text,
        subject -> Text,
        user_id -> Nullable<Text>,
        channel -> Text,
        destination -> Text,
        code_hash -> Text,
        sealed_code -> Binary,
        sent_at -> BigInt,
        send_count -> Integer,
        expires_at -> BigInt,
        used_at -> Nullable<BigInt>,
        created_at -> BigInt,
        target -> Nullable<Text>,
    }
}

diesel::table! {
    code_lockouts (subject, channel) {
        subject -> Text,
        channel -> Text,
        failure_count -> Integer,
        locked_until -> Nullable<BigInt>,
        updated_at -> BigInt,
    }
}

diesel::table! {
    deliveries (id) {
        id -> Text,
        channel -> Text,
        destination -> Text,
        purpose -> Text,
        user_id -> Nullable<Text>,
        provider -> Text,
        status -> Text,
        detail -> Nullable<Text>,
        created_at -> BigInt,
        took_ms -> Nullable<BigInt>,
    }
}

diesel::table! {
    push_devices (id) {
        id -> Text,
        user_id -> Text,
        label -> Text,
        sealed_token -> Binary,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        revision -> BigInt,
        updated_at -> BigInt,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    approvals (id) {
        id -> Text,
        client_id -> Text,
        user_id -> Text,
        approval_data -> Text,
        data_hash -> Text,
        state -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        decided_at -> Nullable<BigInt>,
        artifact -> Nullable<Text>,
        resume -> Nullable<Text>,
        code_hash -> Nullable<Text>,
    }
}

diesel::table! {
    rate_counters (key, window_start) {
        key -> Text,
        window_start -> BigInt,
        count -> BigInt,
    }
}

diesel::table! {
    passkeys (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        credential_id -> Text,
        credential -> Text,
        counter -> BigInt,
        backup_eligible -> Bool,
        backup_state -> Bool,
        created_at -> BigInt,
        last_used_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    passkey_ceremonies (id) {
        id -> Text,
        user_id -> Nullable<Text>,
        kind -> Text,
        state -> Text,
        expires_at -> BigInt,
    }
}

diesel::joinable!(passkeys -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(passkeys, users);
