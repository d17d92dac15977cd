package dev.nexus.services.credentials.windows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test double for the Cred* calls: generic credentials in memory with Credential Manager's answers
 * (null / false for ERROR_NOT_FOUND, a {@code *} filter for enumeration). An error code can be set to
 * fail the next call. Every call is recorded.
 */
final class CredentialManagerDouble implements CredentialManagerApi {
    record Stored(String userName, String comment, byte[] blob) {
    }

    final Map<String, Stored> credentials = new TreeMap<>();
    final List<String> calls = new ArrayList<>();
    private Integer failNext;

    void failNextWith(int win32Error) {
        failNext = win32Error;
    }

    @Override
    public byte[] read(String target) throws Win32Error {
        call("CredReadW");
        Stored stored = credentials.get(target);
        return stored == null ? null : stored.blob().clone();
    }

    @Override
    public void write(String target, String userName, String comment, byte[] blob) throws Win32Error {
        call("CredWriteW");
        credentials.put(target, new Stored(userName, comment, blob.clone()));
    }

    @Override
    public boolean delete(String target) throws Win32Error {
        call("CredDeleteW");
        return credentials.remove(target) != null;
    }

    @Override
    public List<String> enumerate(String filter) throws Win32Error {
        call("CredEnumerateW");
        String prefix = filter.endsWith("*") ? filter.substring(0, filter.length() - 1) : filter;
        return credentials.keySet().stream().filter(t -> filter.endsWith("*") ? t.startsWith(prefix) : t.equals(filter)).toList();
    }

    private void call(String function) throws Win32Error {
        calls.add(function);
        if (failNext != null) {
            int code = failNext;
            failNext = null;
            throw new Win32Error(function, code);
        }
    }
}
