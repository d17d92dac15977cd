package dev.nexus.services.tray;

import dev.nexus.services.tray.model.MenuAction;
import dev.nexus.services.tray.model.Notice;

/** What a tray controller reports. Always called on the JavaFX thread. */
public interface TrayCallbacks {
    /** Left click on the icon: open (or close) the popover near {@code anchor} (null: no position known). */
    void open(Anchor anchor);

    /** A menu item was chosen. */
    void perform(MenuAction action);

    /** A notification was clicked. */
    void noticeClicked(Notice notice);
}
