"""The one place that imports PySide6.

Why: qutebrowser and Anki route every Qt import through one module so that a binding
change, or a missing symbol on an older Qt, is fixed in one file. Views import from here.
"""

from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSortFilterProxyModel,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QAction, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStatusBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = [
    "QAbstractTableModel",
    "QAction",
    "QApplication",
    "QFont",
    "QHeaderView",
    "QIcon",
    "QKeySequence",
    "QLabel",
    "QLineEdit",
    "QMainWindow",
    "QMessageBox",
    "QModelIndex",
    "QObject",
    "QPersistentModelIndex",
    "QProgressDialog",
    "QRunnable",
    "QSortFilterProxyModel",
    "QStatusBar",
    "QTableView",
    "QThreadPool",
    "QTimer",
    "QVBoxLayout",
    "QWidget",
    "Qt",
    "QtCore",
    "QtGui",
    "QtWidgets",
    "Signal",
    "Slot",
]
