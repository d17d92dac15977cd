package dev.nexus.services.credentials.macos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Test double for the SecItem calls: generic passwords in memory, keyed by service and account, with
 * the OSStatus results the real API gives (not found, duplicate). A status can be queued to answer the
 * next call instead, to play a locked keychain or a racing writer. Every call is recorded.
 */
final class SecItemDouble implements KeychainApi {
    record Call(String function, KeychainQuery query, KeychainQuery changes) {
    }

    private final Map<String, byte[]> items = new HashMap<>();
    private final Map<String, String> labels = new HashMap<>();
    private final Deque<Integer> forcedStatuses = new ArrayDeque<>();
    final List<Call> calls = new ArrayList<>();

    void answerNextWith(int status) {
        forcedStatuses.add(status);
    }

    byte[] stored(String service, String account) {
        return items.get(service + "\n" + account);
    }

    String label(String service, String account) {
        return labels.get(service + "\n" + account);
    }

    @Override
    public CopyResult copyMatching(KeychainQuery query) {
        calls.add(new Call("SecItemCopyMatching", query, null));
        if (!forcedStatuses.isEmpty()) {
            return new CopyResult(forcedStatuses.poll(), null);
        }
        byte[] data = items.get(key(query));
        return data == null ? new CopyResult(OsStatus.ERR_SEC_ITEM_NOT_FOUND, null) : new CopyResult(OsStatus.SUCCESS, data.clone());
    }

    @Override
    public int add(KeychainQuery attributes) {
        calls.add(new Call("SecItemAdd", attributes, null));
        if (!forcedStatuses.isEmpty()) {
            return forcedStatuses.poll();
        }
        if (items.containsKey(key(attributes))) {
            return OsStatus.ERR_SEC_DUPLICATE_ITEM;
        }
        items.put(key(attributes), ((byte[]) attributes.get("kSecValueData")).clone());
        labels.put(key(attributes), (String) attributes.get("kSecAttrLabel"));
        return OsStatus.SUCCESS;
    }

    @Override
    public int update(KeychainQuery query, KeychainQuery changes) {
        calls.add(new Call("SecItemUpdate", query, changes));
        if (!forcedStatuses.isEmpty()) {
            return forcedStatuses.poll();
        }
        if (!items.containsKey(key(query))) {
            return OsStatus.ERR_SEC_ITEM_NOT_FOUND;
        }
        items.put(key(query), ((byte[]) changes.get("kSecValueData")).clone());
        labels.put(key(query), (String) changes.get("kSecAttrLabel"));
        return OsStatus.SUCCESS;
    }

    @Override
    public int delete(KeychainQuery query) {
        calls.add(new Call("SecItemDelete", query, null));
        if (!forcedStatuses.isEmpty()) {
            return forcedStatuses.poll();
        }
        return items.remove(key(query)) == null ? OsStatus.ERR_SEC_ITEM_NOT_FOUND : OsStatus.SUCCESS;
    }

    private static String key(KeychainQuery query) {
        return query.get("kSecAttrService") + "\n" + query.get("kSecAttrAccount");
    }
}
