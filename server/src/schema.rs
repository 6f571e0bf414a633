// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> BigInt,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        created_at -> BigInt,
        session_generation -> BigInt,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        label -> Text,
        secret_hash -> Text,
        account_id -> Nullable<BigInt>,
        manager_id -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        at -> BigInt,
        principal -> Text,
        via -> Text,
        operation -> Text,
        method -> Text,
        target -> Text,
        request_id -> Text,
        client -> Text,
    }
}

diesel::table! {
    delivery_accounts (id) {
        id -> BigInt,
        code -> Text,
        username -> Text,
        delivery_domain_id -> BigInt,
        manager_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    delivery_domains (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        manager_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    domains (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        server_id -> BigInt,
    }
}

diesel::table! {
    group_members (group_id, user_id) {
        group_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    groups (id) {
        id -> BigInt,
        guid -> Text,
        name -> Text,
        category -> Text,
        parent -> Text,
        description -> Text,
        manager_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    login_failures (subject) {
        subject -> Text,
        failures -> BigInt,
        window_start -> BigInt,
    }
}

diesel::table! {
    manager_domains (domain_id) {
        domain_id -> BigInt,
        manager_id -> BigInt,
    }
}

diesel::table! {
    managers (id) {
        id -> BigInt,
        code -> Text,
        email_address -> Text,
        firstname -> Text,
        lastname -> Text,
        company -> Text,
        password_hash -> Text,
        status -> Text,
        catch_all -> Bool,
        max_domains -> Integer,
        max_delivery_domains -> Integer,
        max_delivery_accounts -> Integer,
        max_email_accounts -> Integer,
        max_email_accounts_archive -> Integer,
        max_email_accounts_25gb -> Integer,
        max_email_accounts_50gb -> Integer,
        max_email_accounts_100gb -> Integer,
        max_email_quota -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::table! {
    server_blocks (block) {
        block -> BigInt,
        servers -> BigInt,
    }
}

diesel::table! {
    servers (id) {
        id -> BigInt,
        hostname -> Text,
        extname -> Text,
        domain_count -> BigInt,
        user_count -> BigInt,
    }
}

diesel::table! {
    settings (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        guid -> Text,
        username -> Text,
        display_name -> Text,
        title -> Text,
        avatar_small -> Text,
        domain_id -> Nullable<BigInt>,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        is_visitor -> Bool,
        status -> Integer,
        activation_status -> Integer,
        sex -> Nullable<Text>,
        birthday -> Nullable<Text>,
        work_from -> Nullable<Text>,
        terminated -> Nullable<Text>,
        location -> Text,
        notes -> Text,
        contacts -> Text,
        lead_guid -> Nullable<Text>,
        password_hash -> Nullable<Text>,
    }
}

diesel::joinable!(api_tokens -> accounts (account_id));
diesel::joinable!(api_tokens -> managers (manager_id));
diesel::joinable!(delivery_accounts -> delivery_domains (delivery_domain_id));
diesel::joinable!(delivery_accounts -> managers (manager_id));
diesel::joinable!(delivery_domains -> managers (manager_id));
diesel::joinable!(domains -> servers (server_id));
diesel::joinable!(group_members -> groups (group_id));
diesel::joinable!(group_members -> users (user_id));
diesel::joinable!(groups -> users (manager_id));
diesel::joinable!(manager_domains -> domains (domain_id));
diesel::joinable!(manager_domains -> managers (manager_id));
diesel::joinable!(users -> domains (domain_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    api_tokens,
    audit_log,
    delivery_accounts,
    delivery_domains,
    domains,
    group_members,
    groups,
    login_failures,
    manager_domains,
    managers,
    server_blocks,
    servers,
    settings,
    users,
);
